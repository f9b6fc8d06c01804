"""企业与机构: the enterprise entity and what is built on it.

- the entity: ``models`` (tables), ``schemas``, ``service`` (one enterprise, the directory), ``creditcode``,
  ``flows`` (the register import), ``views`` (directory and profile routes);
- ``profile/``: the profile page's read model over the other domains' records;
- ``assessment/``: 优势/示范企业 scoring, applications and their review (``workflows.ASSESSMENT``);
- ``services/``: 企业服务 (service teams' visits, trainings, fee reductions).

Who may see and do what is ``ipbureau.policy`` (``policy/enterprises.py``, ``policy/services.py``).
"""
