"""The arq worker process (`jobs.worker`). Job handlers live with their domains in `server/` and
are listed in `server.jobs.registry.HANDLER_MODULES`, so the API's in-process runner and the
worker run the same code."""
