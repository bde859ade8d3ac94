"""The arq worker process (`jobs.worker`) and one thin module per domain registering its job
handlers (`jobs/receipts.py`), whose work lives in the domain's services under `server/`. The
modules are listed in `server.jobs.registry.HANDLER_MODULES`, so the API's in-process runner and
the worker run the same code."""
