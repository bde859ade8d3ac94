from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "jobs" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "kind" VARCHAR(64) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "progress" DOUBLE PRECISION NOT NULL,
    "stage" VARCHAR(64),
    "message" TEXT,
    "attempts" INT NOT NULL,
    "max_attempts" INT NOT NULL,
    "revision" INT NOT NULL,
    "payload" JSONB NOT NULL,
    "result" JSONB,
    "error_code" VARCHAR(64),
    "error_message" TEXT,
    "started_at" TIMESTAMPTZ,
    "finished_at" TIMESTAMPTZ,
    "heartbeat_at" TIMESTAMPTZ,
    "owner_id" UUID NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_jobs_kind_d0563f" ON "jobs" ("kind");
CREATE INDEX IF NOT EXISTS "idx_jobs_status_f35b2b" ON "jobs" ("status");
CREATE INDEX IF NOT EXISTS "idx_jobs_owner_i_5f1f12" ON "jobs" ("owner_id", "created_at");
CREATE INDEX IF NOT EXISTS "idx_jobs_status_5eab66" ON "jobs" ("status", "heartbeat_at");
COMMENT ON COLUMN "jobs"."status" IS 'QUEUED: QUEUED\nRUNNING: RUNNING\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED\nCANCELLED: CANCELLED';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "jobs";"""


MODELS_STATE = (
    "eJztXWtT2zgU/SuafFk6wzItBdqhnc6EYNpsIelCsttp2TGKrcTaOJJryUCmy39fSbbjR+"
    "w0TnHqBH8hiXSvJZ+jx9WRLb43JtRENttrOvgjmjaOwfcGgRMkvqRydkEDOk6ULhM4HNjK"
    "FDpYH6OpSoQDxl1ocJE+hDZDIslEzHCxwzEl0roJJtCwMEHAsDEi/DcGhPMxYBa9I4ASAw"
    "HIwA0bjPW3jouG+P6d/pYhw0X83c0uYJy6yJQmzIL7h0c7ftazPVm6SQ1RPCajMgu6Jj0L"
    "Af8XsES+yAQDzBmgQyDKcakzFe4UQAEBUyYWwOIycChKJKaoBXIYsCkde+LTsBB0VO09gr"
    "95SOd0hLiFXHEPX/8RyZiY6B6x8Kcz1ocY2WaCLWzKC6h0nU8dldbvt0/PlKVEZqAb1PYm"
    "JLJ2ptyiZGbuedjckz4yb4QIciFHZoxH4tl2QHmY5NdYJHDXQ7OqmlGCiYbQs2VraLwdes"
    "SQjQCokuSfg3dB1WJmut7p9vQrrafrjbnGI6uQojlIMiiRDQ8TLoH6/uBfNwJEpTZkAa0P"
    "zcudl0fPFASU8ZGrMhVcjQflCDn0XRXoEcqCcYmJDvk82qcih+MJykY86ZlC3gxc98Ivqz"
    "AQJkQURP0vBDeErwTAG+IGzS6xpwH3CwjotS+0q17z4pMsbsLYN1vh1+xpMmdfpU5TqTs+"
    "X1QMLf6YM7sI+Lvd+wDkT/Cl29HSrM7sel8ask7Q41Qn9E6HZqyZhqkhasIyYt1zzBVZT3"
    "rWrFeF9RCjGO1B7SPW1ecc3y0Lutlch/YplgVam8jrBN7rNiIjbomfL54/X0DsX81LNaQK"
    "qxRbnSBr3897SODrz7hFEI48HgfjH89Z60P4aBmA070hhu9RGl4/PNFl7FEE45TbFjbmo4"
    "MloD46yIVaZqWgNqi8xhzKf1x1OzkozzzScwI2OPgP2JjxsoCOxWEDD9scE7Yny/sVoZhE"
    "KDEdhDDvXDQ/pxlonXdP0uO8vMBJig5072CRvcJ0nfR8hOk6GFCq0hE2d3aeD8pcdEvHKw"
    "VlSc+a5SqzbIv1s+6xlXhO+9ZMV5lpeieQ14vJGHGfxxQzqkvrD7QLKQ8Nx5nShcJqHtwz"
    "6iI8Ih/RVEHcFhWBxMhayAR6YJ+hTYwBH8K2E6ZGvdmFdzNBLdGkxM2LW0bcD5mbV63mqd"
    "ZQGA+gMb6DrqknwJY5dJ+mUma281mT/Uk6BRI4UujI25CVDmA/pyNMziC2PRc1MmTaRP7u"
    "IrHWlpb60DddWrKV9sgEynkXjJHDASaAWwhIsWwAGZKCJ7dcyrktiAAWFbcFoOFSxkDzUx"
    "u4yLGxAVmWTvvIV6911AqMRbu1jvqEFLVaR32KrC+jo6KJGNyLSFAzh7LEp18n8+0fLiM+"
    "Catc9UnlJfUO7BRB17fePmgfR9abC6B/TbR3iYaiA1o9OkYkK9pL5C+M9lzfUsRCwnTJaK"
    "9LEMCMeSIiC9yBct8DqkC1zU2FjQrX5Oa4iwAEN0M4wfb05g0QURpU8QlzEJFhmu8+F/eV"
    "VM412WGIM3ATrP1vnqlNd1USU0ElQff8DXBEiYhwGU5CdQnu+wNfIPJN70SkiYBfZB1b1r"
    "FlHWXUsWXNelViS39cLjKqRh7lCobrDIR+ZhyNsFRzX+H94qTX1u3LP/5mcYV2J6s2UG3u"
    "wJQxH622Z1VvV20Iv/X281NgWXTHonuSMZd6S3LxlqTH6h3JH+9IxhpUlTYkFeoZ0lTIRr"
    "4kJW9oOSUqH8tahalA196tVZgntB6vVZinyPom7PBVSC8oZYPPgYzdUTFhFxVn5hy38HH+"
    "/cPDpRA/XID4YRpxl9o57/5oxJvMxaXJ9V3guz6sG/0r7bJgeKB8joH8e02apxftzjFQH+"
    "ldul/z9gpmuggM8W0GCydUAAxJTrgW90sxMBCOZVEQjjjrjc9Out3zxBxx0u6lMO5fnGgC"
    "ewW9MML+2qHd6WWpv0y/hTYWk/CQZ63MFs/g2Veo9Y3qTNx+vFbgEYeoecTf8E91x8Dz7O"
    "MlstV2fP5KPTpLYMOmnLy1ekoSTD9qsTpS6Qc8thGvf+ngJ1H6gw62CZwy5RoJVYZaEyCY"
    "L9aEJJWq1XxNPHYfEwCE3VcROUHuqUpYCLp8IHJVXq3w1ApPNXv4hq71a4XnKbK+jMIzFp"
    "AWER5C+/ox4yVOD5hNb6uoDZH32rBu/NnX+tppUcHB9zoG/uc1uex3Ou3O+2MQfLkmV/1W"
    "S9NOpdHs6zU5a7bPZZL/eU1azU5LO1dJs6/VEC0cl8o+l8HlmU0hz9HoYk4pCofSq6yB8P"
    "ne8/WHG6fd/sm5Bj5daq32VTs4+2E20KnMpFBxqTXP5/vLqNDBPDOHlXpIxdSHskejiWiK"
    "mfj20H1OC465bAPCi6Zt7XMvMWPPHVcya8zn3c770Dx9hkkSccg5mjg8Y9RokxzE4y4pyO"
    "VysqwRo6wmPZI1+H3/xcGrg9cvjw5eCxNVy1nKqwWczEuZsoesAGrabX3AvtwQYF10i1kg"
    "yCwJatylbqlpQB04FVN8RmSdf3JUzKUaR0fJYrfm6CiRJetfgI/I46fo2Jw5sJwju1yXug"
    "JVs1Bgl/Tahtij9JcPFGIrxHhzjtuA9rojPbEQcVfTzpKe9Z5qdaSyeYV0iAlm1ko0p1xr"
    "nqvMc2IzqiDRad+a6SozXR9NVx9NV4EXQap6NF0TudiwGln/O8TP2V34v0Mim8q8DpIrZ2"
    "T25wwhI6Cvug8tP4qQkf9swC1ys4Wi/MVczKV+Snm5p5RlpyqAcGC+heiW8v8JRIkckUJi"
    "UMxl/eLchstBBR5LffzJ7OF/wQZQgg=="
)
