"""Thin views — parse input, ask access, call a selector or a service, render. One module per area:
`catalogue`, `entry`, `review`, `plans` (targets/urls.py points at them)."""
