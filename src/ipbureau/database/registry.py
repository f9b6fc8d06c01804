"""Import every model module so that ``Base.metadata`` knows all tables (Alembic, tests)."""

from ipbureau.audit import models as audit_models  # noqa: F401
from ipbureau.auth import models as auth_models  # noqa: F401
from ipbureau.database.core import Base
from ipbureau.enterprises import models as enterprise_models  # noqa: F401
from ipbureau.enterprises.services import models as enterprise_service_models  # noqa: F401
from ipbureau.imports import models as import_models  # noqa: F401
from ipbureau.jobs import models as job_models  # noqa: F401
from ipbureau.market import models as market_models  # noqa: F401
from ipbureau.navigation import models as navigation_models  # noqa: F401
from ipbureau.notices import models as notice_models  # noqa: F401
from ipbureau.patents import models as patent_models  # noqa: F401
from ipbureau.protection.disputes import models as dispute_models  # noqa: F401
from ipbureau.protection.enforcement import models as enforcement_models  # noqa: F401
from ipbureau.protection.preexam import models as preexam_models  # noqa: F401
from ipbureau.protection.screening import models as screening_models  # noqa: F401
from ipbureau.reference import models as reference_models  # noqa: F401
from ipbureau.search import models as search_models  # noqa: F401
from ipbureau.stats.official import models as official_statistics_models  # noqa: F401
from ipbureau.trademarks import models as trademark_models  # noqa: F401
from ipbureau.workplan import models as workplan_models  # noqa: F401

metadata = Base.metadata
