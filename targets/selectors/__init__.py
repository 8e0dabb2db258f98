"""Reads for pages: each selector decides its query shape and makes a fixed number of queries.

One module per subject: `catalogue` (targets, series), `entry` (the worklist, period states, the entry
form's lines), `review` (the review page, assignable series), `history` (who changed what), `plans`
(DTI improvement plans and ranks).
"""
