"""Import every model module so that ``Base.metadata`` knows all tables (Alembic, tests)."""

from ipbureau.audit import models as audit_models  # noqa: F401
from ipbureau.auth import models as auth_models  # noqa: F401
from ipbureau.enterprises import models as enterprise_models  # noqa: F401
from ipbureau.imports import models as import_models  # noqa: F401
from ipbureau.market import models as market_models  # noqa: F401
from ipbureau.patents import models as patent_models  # noqa: F401
from ipbureau.reference import models as reference_models  # noqa: F401
from ipbureau.search import models as search_models  # noqa: F401
from ipbureau.trademarks import models as trademark_models  # noqa: F401
from ipbureau.workplan import models as workplan_models  # noqa: F401
from ipbureau.database.core import Base

metadata = Base.metadata
