"""The read models of reporting, applied in this order within each batch of events.

The timeline reads people's categories kept by the catalogue and the answer states kept by "proposals", so
both come before it; every projection otherwise keeps what it needs in its own tables.
"""

from services.reporting.projections.architecture import ArchitectureProjection
from services.reporting.projections.attachments import AttachmentsProjection
from services.reporting.projections.base import Projection
from services.reporting.projections.cases import CasesProjection
from services.reporting.projections.catalogue import CatalogueProjection
from services.reporting.projections.courses import CoursesProjection
from services.reporting.projections.learning import LearningProjection
from services.reporting.projections.manual import ManualProjection
from services.reporting.projections.outcomes import OutcomesProjection
from services.reporting.projections.participation import ParticipationProjection
from services.reporting.projections.proposals import ProposalsProjection
from services.reporting.projections.timeline import TimelineProjection

PROJECTIONS: tuple[Projection, ...] = (
    CatalogueProjection(),
    ParticipationProjection(),
    OutcomesProjection(),
    ProposalsProjection(),
    TimelineProjection(),
    ArchitectureProjection(),
    AttachmentsProjection(),
    CoursesProjection(),
    CasesProjection(),
    ManualProjection(),
    LearningProjection(),
)

__all__ = ["PROJECTIONS", "Projection"]
