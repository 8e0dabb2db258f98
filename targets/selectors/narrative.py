"""Reads of the Báo cáo's texts: a locality's narrative for a quarter (with its history) and its letterhead,
recipients and signer — the stored ones, or defaults drawn from the locality's name until a reviewer saves
them."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import Locality, ReportNarrative, ReportSettings

# Provincial units governed as centrally-run cities (thành phố trực thuộc trung ương), from 2025-07-01.
CITIES = {"Hà Nội", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Thành phố Hồ Chí Minh", "Cần Thơ", "Huế"}


@dataclass(frozen=True)
class Letterhead:
    """What the Báo cáo's header and closing say (`ReportSettings`'s fields), saved or default."""

    parent_body: str
    issuing_body: str
    number_suffix: str
    place: str
    addressee: str
    recipients: str
    signer_authority: str
    signer_title: str
    signer_name: str
    version: int = 0  # 0: not saved yet (defaults)

    @property
    def recipient_lines(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]


@dataclass(frozen=True)
class Narrative:
    """Sections IV and V and the notes per pillar slug, as saved (empty when none yet)."""

    shortcomings: str = ""
    recommendations: str = ""
    pillar_notes: dict[str, str] = field(default_factory=dict)
    version: int = 0


def default_letterhead(name: str) -> Letterhead:
    """A letterhead for a locality no reviewer has set up yet: its Sở Khoa học và Công nghệ reporting to
    its People's Committee (the Sở in charge of digital transformation since 2025-03-01)."""
    kind = "thành phố" if name in CITIES else "tỉnh"
    return Letterhead(
        parent_body=f"UBND {kind} {name}",  # the header writes both in capitals
        issuing_body="Sở Khoa học và Công nghệ",
        number_suffix="BC-SKHCN",
        place=name,
        addressee=f"Ủy ban nhân dân {kind} {name}",
        recipients=f"Như trên;\nBộ Khoa học và Công nghệ;\nUBND {kind} (để b/c);\nLưu: VT.",
        signer_authority="KT. GIÁM ĐỐC",
        signer_title="PHÓ GIÁM ĐỐC",
        signer_name="",
    )


def letterhead(locality: Locality) -> Letterhead:
    """The locality's saved letterhead, or the default: one query."""
    row = ReportSettings.objects.filter(locality=locality).first()
    if row is None:
        return default_letterhead(locality.name)
    return Letterhead(
        parent_body=row.parent_body,
        issuing_body=row.issuing_body,
        number_suffix=row.number_suffix,
        place=row.place,
        addressee=row.addressee,
        recipients=row.recipients,
        signer_authority=row.signer_authority,
        signer_title=row.signer_title,
        signer_name=row.signer_name,
        version=row.version,
    )


def narrative(locality: Locality, period_code: str) -> Narrative:
    """The locality's narrative for the quarter, or an empty one: one query."""
    row = ReportNarrative.objects.filter(locality=locality, period_code=period_code).first()
    if row is None:
        return Narrative()
    notes = row.pillar_notes if isinstance(row.pillar_notes, dict) else {}
    return Narrative(
        shortcomings=row.shortcomings,
        recommendations=row.recommendations,
        pillar_notes={str(k): str(v) for k, v in notes.items()},
        version=row.version,
    )


def narrative_history(locality: Locality, period_code: str, limit: int = 50) -> list:
    """The narrative's saved versions, newest first, with who saved each and when: one query."""
    return list(
        ReportNarrative.history.filter(locality_id=locality.pk, period_code=period_code)
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
