"""Background jobs: one mechanism for every long task started from a page (data imports, screening runs).

A job is a durable row (``models.BackgroundJob``) from the moment it is started, its live progress a small file
under the data directory (``progress``), so that any worker process of the server answers for any job; the
thread that runs it lives in the process that started it (``service``)."""
