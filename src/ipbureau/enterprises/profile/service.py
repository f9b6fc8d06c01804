"""One enterprise's profile for one user (no HTTP here): the public part for everyone signed in, and for the
enterprise's insiders (``enterprise.view_private``) the non-public sections, the score, the IP management
items and the applications."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ipbureau.enterprises.assessment.schemas import AssessmentRead, ScoreRead
from ipbureau.enterprises.assessment.scoring import EnterpriseScore, score_of
from ipbureau.enterprises.assessment.service import applications_of, management_of
from ipbureau.enterprises.models import (
    AdvantageAssessment,
    Enterprise,
    EnterpriseIpManagement,
)
from ipbureau.enterprises.profile.schemas import ProfileRead, SectionRead
from ipbureau.enterprises.profile.sections import Section, sections
from ipbureau.enterprises.service import (
    as_read,
    get_enterprise,
    record_counts,
    shows_private,
)
from ipbureau.policy import policy


@dataclass
class Profile:
    enterprise: Enterprise
    private: bool  # the user sees the non-public part
    counts: dict[str, int]
    sections: list[Section]
    score: EnterpriseScore | None
    management: EnterpriseIpManagement | None
    assessments: list[AdvantageAssessment]
    can_apply: bool


def profile_of(session: Session, user: Any, enterprise_id: int) -> Profile:
    enterprise = get_enterprise(session, user, enterprise_id)
    private = shows_private(session, user, enterprise)
    return Profile(
        enterprise=enterprise, private=private, counts=record_counts(session, enterprise),
        sections=sections(session, enterprise, private=private),
        score=score_of(session, enterprise.id) if private else None,
        management=management_of(session, enterprise) if private else None,
        assessments=applications_of(session, enterprise) if private else [],
        can_apply=policy.can(session, user, "enterprise", "apply_assessment", enterprise))


def read_profile(session: Session, user: Any, enterprise_id: int) -> ProfileRead:
    profile = profile_of(session, user, enterprise_id)
    return ProfileRead(enterprise=as_read(profile.enterprise, private=profile.private),
                       sections=[SectionRead.of(s) for s in profile.sections],
                       score=ScoreRead.of(profile.score) if profile.score else None,
                       assessments=[AssessmentRead.of(a) for a in profile.assessments])
