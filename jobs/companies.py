"""The companies job handlers, registered for the API's in-process runner and the arq worker
(`server.jobs.registry.HANDLER_MODULES` names this module). Thin: the work is in the services."""

from __future__ import annotations

import server.companies.mail  # noqa: F401  (registers the invitation email's outbox handler)
from server.companies.forecasts import FORECAST_DEMAND
from server.companies.forecasts_job import run_forecast, settle_forecast
from server.companies.sales_import import IMPORT_SALES
from server.companies.sales_import_job import run_sales_import, settle_sales_import
from server.jobs.registry import JobPolicy, on_job_end, register_handler

# Both kinds keep JOB_TIMEOUT_SECONDS (600 s): a 1,000,000-row import or 1,000 series take one
# to two minutes.
# Sales import: a large file may take minutes; a retry starts the file again (clean).
register_handler(IMPORT_SALES, run_sales_import, policy=JobPolicy(max_attempts=3))
on_job_end(IMPORT_SALES)(settle_sales_import)

# Demand forecasts: CPU-bound, in a child process; a retry forecasts again from the sales.
register_handler(FORECAST_DEMAND, run_forecast, policy=JobPolicy(max_attempts=2))
on_job_end(FORECAST_DEMAND)(settle_forecast)
