from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "forecast_runs" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "frequency" VARCHAR(8) NOT NULL,
    "horizon" INT NOT NULL,
    "levels" JSONB NOT NULL,
    "product_ids" JSONB NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "strategy" VARCHAR(64),
    "backtest" JSONB,
    "finished_at" TIMESTAMPTZ,
    "company_id" UUID NOT NULL REFERENCES "companies" ("id") ON DELETE CASCADE,
    "created_by_id" UUID REFERENCES "users" ("id") ON DELETE SET NULL,
    "job_id" UUID REFERENCES "jobs" ("id") ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS "idx_forecast_ru_company_24bede" ON "forecast_runs" ("company_id", "created_at");
COMMENT ON COLUMN "forecast_runs"."frequency" IS 'DAY: DAY\nWEEK: WEEK\nMONTH: MONTH';
COMMENT ON COLUMN "forecast_runs"."status" IS 'QUEUED: QUEUED\nRUNNING: RUNNING\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED';
COMMENT ON TABLE "forecast_runs" IS 'One forecastDemand request: its parameters, the strategy its backtest chose over all the';
        CREATE TABLE IF NOT EXISTS "invitations" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "email" VARCHAR(254) NOT NULL,
    "role" VARCHAR(16) NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "expires_at" TIMESTAMPTZ NOT NULL,
    "accepted_at" TIMESTAMPTZ,
    "revoked_at" TIMESTAMPTZ,
    "accepted_by_id" UUID REFERENCES "users" ("id") ON DELETE SET NULL,
    "company_id" UUID NOT NULL REFERENCES "companies" ("id") ON DELETE CASCADE,
    "invited_by_id" UUID REFERENCES "users" ("id") ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS "idx_invitations_company_f51148" ON "invitations" ("company_id", "created_at");
COMMENT ON COLUMN "invitations"."role" IS 'ADMIN: ADMIN\nMEMBER: MEMBER';
COMMENT ON TABLE "invitations" IS 'An invitation to join a company: single use, expires. Only the token''s SHA-256 is stored;';
        CREATE TABLE IF NOT EXISTS "products" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "sku" VARCHAR(64) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "category" VARCHAR(100) NOT NULL,
    "unit" VARCHAR(16) NOT NULL,
    "cost" DECIMAL(14,4),
    "price" DECIMAL(14,4),
    "lead_time_days" INT NOT NULL,
    "min_order_quantity" DECIMAL(16,3) NOT NULL,
    "reorder_point" DECIMAL(16,3),
    "stock_on_hand" DECIMAL(16,3) NOT NULL,
    "archived_at" TIMESTAMPTZ,
    "company_id" UUID NOT NULL REFERENCES "companies" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_products_company_1d9a3c" UNIQUE ("company_id", "sku")
);
CREATE INDEX IF NOT EXISTS "idx_products_company_a2342b" ON "products" ("company_id", "name");
CREATE INDEX IF NOT EXISTS "idx_products_company_686461" ON "products" ("company_id", "category");
COMMENT ON TABLE "products" IS 'A product a company stocks and sells; its SKU is unique within the company.';
        CREATE TABLE IF NOT EXISTS "product_forecasts" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "model" VARCHAR(64) NOT NULL,
    "fallback" VARCHAR(64),
    "history_periods" INT NOT NULL,
    "mase" DOUBLE PRECISION,
    "smape" DOUBLE PRECISION,
    "coverage" JSONB,
    "points" JSONB NOT NULL,
    "company_id" UUID NOT NULL REFERENCES "companies" ("id") ON DELETE CASCADE,
    "product_id" UUID NOT NULL REFERENCES "products" ("id") ON DELETE CASCADE,
    "run_id" UUID NOT NULL REFERENCES "forecast_runs" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_product_for_company_0ac011" ON "product_forecasts" ("company_id", "product_id", "created_at");
COMMENT ON TABLE "product_forecasts" IS 'A product''s forecast from one run: the model used, its backtest error and interval';
        CREATE TABLE IF NOT EXISTS "sales_imports" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "filename" VARCHAR(255) NOT NULL,
    "sha256" VARCHAR(64) NOT NULL,
    "mapping" JSONB NOT NULL,
    "options" JSONB NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "duplicate_of_id" UUID,
    "rows_read" INT NOT NULL,
    "rows_imported" INT NOT NULL,
    "rows_skipped" INT NOT NULL,
    "rows_failed" INT NOT NULL,
    "products_created" INT NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "company_id" UUID NOT NULL REFERENCES "companies" ("id") ON DELETE CASCADE,
    "created_by_id" UUID REFERENCES "users" ("id") ON DELETE SET NULL,
    "file_id" UUID REFERENCES "files" ("id") ON DELETE SET NULL,
    "job_id" UUID REFERENCES "jobs" ("id") ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS "idx_sales_impor_company_58122a" ON "sales_imports" ("company_id", "sha256");
CREATE INDEX IF NOT EXISTS "idx_sales_impor_company_9b48e2" ON "sales_imports" ("company_id", "created_at");
COMMENT ON COLUMN "sales_imports"."status" IS 'QUEUED: QUEUED\nRUNNING: RUNNING\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED\nDUPLICATE: DUPLICATE';
COMMENT ON TABLE "sales_imports" IS 'One sales file imported into a company, with its mapping, options and outcome.';
        CREATE TABLE IF NOT EXISTS "sales" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "sold_on" DATE NOT NULL,
    "quantity" DECIMAL(16,3) NOT NULL,
    "unit_price" DECIMAL(14,4),
    "store" VARCHAR(64) NOT NULL,
    "external_id" VARCHAR(64) NOT NULL,
    "company_id" UUID NOT NULL REFERENCES "companies" ("id") ON DELETE CASCADE,
    "product_id" UUID NOT NULL REFERENCES "products" ("id") ON DELETE CASCADE,
    "sales_import_id" UUID REFERENCES "sales_imports" ("id") ON DELETE SET NULL,
    CONSTRAINT "uid_sales_product_5780ee" UNIQUE ("product_id", "sold_on", "external_id", "store")
);
CREATE INDEX IF NOT EXISTS "idx_sales_company_be83f1" ON "sales" ("company_id", "sold_on");
COMMENT ON TABLE "sales" IS 'One sale line: demand history for forecasts. Unique per (product, day, external id, store),';
        CREATE TABLE IF NOT EXISTS "sales_import_row_errors" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "line" INT NOT NULL,
    "column" VARCHAR(100) NOT NULL,
    "value" VARCHAR(200) NOT NULL,
    "reason" VARCHAR(300) NOT NULL,
    "sales_import_id" UUID NOT NULL REFERENCES "sales_imports" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_sales_impor_sales_i_3a5d85" ON "sales_import_row_errors" ("sales_import_id", "line");
COMMENT ON TABLE "sales_import_row_errors" IS 'Why one row of an import was refused (the first SALES_IMPORT_MAX_ERRORS of them).';
        CREATE TABLE IF NOT EXISTS "stock_movements" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "sequence" INT NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "quantity" DECIMAL(16,3) NOT NULL,
    "balance_after" DECIMAL(16,3) NOT NULL,
    "reason" VARCHAR(200) NOT NULL,
    "occurred_at" TIMESTAMPTZ NOT NULL,
    "company_id" UUID NOT NULL REFERENCES "companies" ("id") ON DELETE CASCADE,
    "created_by_id" UUID REFERENCES "users" ("id") ON DELETE SET NULL,
    "product_id" UUID NOT NULL REFERENCES "products" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_stock_movem_product_512eb5" UNIQUE ("product_id", "sequence")
);
COMMENT ON COLUMN "stock_movements"."kind" IS 'RECEIPT: RECEIPT\nSALE: SALE\nADJUSTMENT: ADJUSTMENT\nCOUNT: COUNT';
COMMENT ON TABLE "stock_movements" IS 'One line of a product''s append-only stock ledger: never updated, never deleted (except';
        ALTER TABLE "jobs" ADD "company_id" UUID;
        ALTER TABLE "files" ADD "company_id" UUID;
        ALTER TABLE "jobs" ADD CONSTRAINT "fk_jobs_companie_09a285be" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON DELETE CASCADE;
        ALTER TABLE "files" ADD CONSTRAINT "fk_files_companie_66fc12d8" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON DELETE CASCADE;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "files" DROP CONSTRAINT IF EXISTS "fk_files_companie_66fc12d8";
        ALTER TABLE "jobs" DROP CONSTRAINT IF EXISTS "fk_jobs_companie_09a285be";
        ALTER TABLE "jobs" DROP COLUMN "company_id";
        ALTER TABLE "files" DROP COLUMN "company_id";
        DROP TABLE IF EXISTS "sales_imports";
        DROP TABLE IF EXISTS "product_forecasts";
        DROP TABLE IF EXISTS "invitations";
        DROP TABLE IF EXISTS "sales";
        DROP TABLE IF EXISTS "forecast_runs";
        DROP TABLE IF EXISTS "stock_movements";
        DROP TABLE IF EXISTS "sales_import_row_errors";
        DROP TABLE IF EXISTS "products";"""


MODELS_STATE = (
    "eJztXW1z2za2/isYf6k9o3oSO05ylZ2dUWy6VWvLXtlOezfaYSAKslBTAEtSdty9/e8XAN"
    "9fRUqURFL4YtEkDkg+B8TLcw7O+e/BnE6Qbh33DPwrej3ogv8eEDhH7CB2pQMOoGEE5/kJ"
    "G451URQaWH1Cr+IkHFu2CTWbnZ9C3ULs1ARZmokNG1PCS/fAHGozTBDQdIyI/YMFmHAXWD"
    "P6QgAlGgLQAt+s8ZP6D8NEU/z9n+o/LKSZyP7ntw6wbGqiCS9izeDJ2ftD59LRMb/7hGrs"
    "9pg8bvJGI3I/Q8D5D8zYdXYRjLFtAToF7D4mNV6ZOAWQQWCJIjOAWTVwyu5IJuwpkGEBnd"
    "KnBfvVZggarNIR6YGFhUznMQHD0AJTaoJv7GmRyR6Ii04wssALtmfAZs8ANY0uiA0O2dMz"
    "0YnzUq4AvyUmrBr8jEaEVfRICTo6Bj2g0bkByat7o8Nv7v/f2DvZR8GN+R3cS6xi/fVTuG"
    "Z2kfA/I+IV6V1c9wfgZUYBAwba7Gmw3WF3MGy/NhNp1Jx0AWtByGZaYieh7b8Fuzt7YhvY"
    "FJCFro8If2Euxp/SweyFmk9c7pAVGyOdkkeLFw89qQPTI/Vgwm7LWBD85wKpNn1ErLTJ2s"
    "fX/7DTmEzQd2R5/xpP6hQjfRL5EvCEVyDOq/arIc49PPQvLkVJ3urGqkb1xZwEpY1Xe0aJ"
    "X3yxwJNjLsOvPSIGIgco9I3wF3Y/J++U88TshG0ukP+ok+DEBE3hQudf2sE/pgui8Q8MiD"
    "vxP+/+6T5aqJiqDm7u1TvlXlUPEh8mf4TYJ+Se0ijhHzUmNgfqv3879QaAiLMH/AbnP/eG"
    "h6fvjwQE1LIfTXFRwHXwtxCENnREBegBym6jUaGdRPuCXbHxHKUjHpWMIT9xRY+9g1U04J"
    "0IVBD0bR64HnwbAPyAveDkhn2Bru5zFHDfv1bu7nvXt/x2c8v6Uxf49e4VfuVEnH2NnT10"
    "9EVZt+30534l4Lf+/c+A/wv+fTNQ4lr1y93/+4A/E1zYVCX0RYWTUDP1znqosZKB1hfGZE"
    "WtRyWl1uuidQ+jkNrdpw+0Ln4T+j6fQTNd1175mJYZWk3U6xx+V3VEHu0Z+/ftmzc5iv3S"
    "G4oulZWKaWvgXjpxrv0dwdeZzZRBOJCoBuPlY9b2EH5fBOD41xDC930cXmfqp/J5XRmMY2"
    "ItbMzv3xWA+v27TKj5pRjUGuV1JFD+5e5mkIGyLxEfE7Bmg/8DOrbsTQEdmoeNF1hnU1zr"
    "mN9vF1MxjlBkOPBgPrzu/R7XwPnVzed4P88r+BxTB/puYHZ5heE6KlnBcO12KHX5EJo7Oi"
    "cnZSZ6pk8rTcqiklLLddayDi1b5azBCnqOy0pN11nTLjWiliMyolJrEBrN0exS+iLAVDBh"
    "JRENy0g8//6bM27Tp1Q2SECVxPaSmgg/kl/Rq0C4zx4EEi1tbejS1w8WKjKtriekwdngEU"
    "344lOUkQbF3l3QquLt2QOAwcPV1UFaP1ABrOdBTe1ENtr5RbA9792d9y6UA9F8x1B7eoHm"
    "RI20Y36FntDYGb9s8tL8ZB4/Awl8FPjwF+GP7UJ/RR8xuYRYX5joIMVgE7neyTPb6LykOn"
    "WKFjbe8PJoAoSwS+9jYQkAnNodQwtx04c9M6lt65yrn1H2WgBqJrUs0LvtAxMZOtaglWax"
    "qbh2yfrXoJvvSNZ/j/hfyfrvo9aLsP5ozjr3MoSpL7ApqnR3pPTJWRGqlJXK5ErFteiaBB"
    "tl0HVKtw/aakjoxNpkN7O9IZqyD3B2T58QSZvtRa7nzvZMpySbC7GiBWd7NwQBbFkLNiNz"
    "xYEQPwbihsLhhbIyYrrG3WRMBCD4NoVzrL9++wTYLA2K+YllIMKnaY54Yt63ofuMyKHwKf"
    "nmMlXfjoRziLiT8GABBH23PwGD3RER4ZACRRW2Iw8cOtMp+sJmmgg4t5RzSzm3lLMMObeU"
    "Wq/L3NLpl8v0qoFElT3rbidC1VDbYuwr7d0QlWqdF0n1rg01sqXXraNqbseUMh6tZmGVxt"
    "WG6Fc6S+yDlvnGjJLW3pDIZmcYdVHq6tbehbVNY29NIV1qkww1qDoZJAXqKdSUp41sSoq/"
    "UDEmKhtLycLU4NPuSBZmj9bjkoXZR603wcJXI75gIwY+A1rWC2UDdllyJiHYws0nJ2dnhR"
    "A/y0H8LI64SfWMnWoKWcwT89Lo+s6V3R7WBw93yrDk9EDIdAH/OyJiD3fX2codt9LtZq8V"
    "tlRnC3tSC58pAxiSjOlaWC6mgTET3JQKvB5nu/Ozzzc3V5Ex4nP/Pobxw/VnhWEvoGeFsL"
    "N26A/u09hfS32GOmaD8NROW5nlj+DpNUh+oz4DtzNfK+HiEDSPcKyP2OfoSl7+OkS6MMdn"
    "r9SDqCKNVHliqR5jBOOeFqsDFffvaNgIXQivP+h4TZR+oeO2gjPFetr+1zLo3IlANpdYb+"
    "JqqRBIOn2Fuv2q8uA7eF24rpzKFFZXkR6q0YCZi7VblwvX0KuplR26hljVa3flopa2NikX"
    "JFbKZIf8FtXgde7X19LWNWW9s8b305qLdSG7dKsaLtoKFibP2PH15Os7DRn87dbCrO/XuA"
    "eQcTdXCVcuXHM0HyPTmmFjzY/x2q+orV2+BdmYr+K5Qc11B8c7XlVf1NTSdmXZVHtS5/QZ"
    "zRFZGy5e2bVbV4sA26Sdmi8SU8zU7tox20rtLU83aqT+GtnLHbJ8snJfWduB9kI8xAxB0x"
    "6zq+KaNG1L03Y9x4+GGjmlaXsftV7EtP3EIC1jcfXKy/2VBYL8+cPbKmbWQHprWB/860F5"
    "UC7KWlodqS5wfkdk+DAY9Ac/dYF7MCJ3D+fninLBC/mHI3LZ61/xU87viJz3BufKlTjlH9"
    "bDWmuYlH9zKbq81Cm0M5wTQkIxFU651KY6wjfHb7Y/3bi4efh8pYDboXLev+u7IRr9jk5c"
    "jFpoh0rvKvm9PJaKn+sLrPSF1GzxsOneaM6aYiq+9+h7RgsOibQB4bxhW/n9PjJiJ6KK+o"
    "356mbwk1c8Hmo0iji0bTRP5df7JAPxsEgMclxoRbxaj7GpJv3In+DHk7fvPrz7ePr+3UdW"
    "RDylf+ZDjk6SPhz8C1kB1LjY9oA9bQiwJnrGlsvMFAQ1LCJbahxQA76yIT5lZp0d4DkkUo"
    "8Iz/y2rYnwzC7x5y+hj0BiLXU0ZwzcTGRt06QmQ3VSamIXlWrD3GPju64FYivM8RKCbUB7"
    "2zM9thAxV+POopLSmbQ+VFmSIZ1igq3ZSmqOiUo911nPEWNUSUXHZaWm66xpGUG++jA7O4"
    "wgXze70UaCCmw5hHxNMV09hrwfVkCGkN9BCPndeR83BG7pQyvd9hrohRbajJPijBbdqpPt"
    "k+bvCpKRU6R7mXQva4qjkXQv20etF3Evs3jHX4b59wW2GF2CmvgRE+iMRZsn/6t3TxrrdM"
    "x3r5cBOizTuig1Z29PCmDMSmWCLK7FSP4ZPDl7X6ox+xLSXbKAuyT+Ky0aCn7M9EHwJLbn"
    "f7BJeB0XhP85OTk9/XDy5vT9x7N3Hz6cfXzj+yIkL+U5JXzu/8T9EiLwJx0V2EPYiNgOdi"
    "WadlyuhYGXNpLCnq9wxHEJrMMyLcR5IwGuXvDETgklltmV+OVX6ktqxgBU7c00Q/hxljJv"
    "z0QzEJBwJuGsUYT85UjXJM9DzRc+0rQoTYsNAVSaFqVpsabAStOitJbVBqxNWss+m5BETU"
    "+RC508G9mYF5FGMmkkk0ayRplLpJFsH7VexEhWlg9sMRe4Ec61pGWsrUaxjWALdQyttFir"
    "2RvrQiL12OjI79eajY4aA+yRmqVafFimDdu/NtTuE8xJkbUottG8moVon9XUPF3sZH0ViX"
    "WdssyKx8LOXm2lhOBeuuw6uJ8hwKpEZPIjZTMWYFCOBtDR5BGZXQABzxD3gwXGUOeMD8AW"
    "YKswYC3mgE75ITaBe8PjgxjKlVY+IiPy7dClSzrAQqzJMJmjb1zKaUG8RrcAq9QVBNBEDH"
    "MeCBRNwBtwiNkTQK63ow542wEnx8fHnRGxKLBfKHgx2Udg8seANuDTOOeBmEoAD3KEwCG/"
    "Ba94Av6g4w6744QumALYQ4/n2D4CGiSE2mBM7RngHaBAJWUN+9Wjfvh1722ceIKRoIShlI"
    "PhmIRyzSvXvDWdJTdz9SPXvPuo9UKOoV7nnNB5trdXSKRNHl8VRvGBVloMn4Jp3XzpOvMK"
    "B73fesOLLhA/I3J+Mxwq5/f9m0EXBMcjMlS+KMO73lUXeEcj0ru9Hd584ee8o/jcajfeu8"
    "4ELmWJkOP5GMi06UvYsu+jyBKjPrOpacnQV3G5Numgst5oguzUrKnZxFAgUQ9eqGUBsJw8"
    "NuWWMlEp6T8TAzW0jiyKaEhEwpnvjrSwpDfScqeZUINa7owUokfWRLV9ab/iwEb7vrLeSF"
    "ugN53cdNn0pp+7bjm96SfMW05u3hAE3LmPSyh6FKSo5BOABDgrc8CWgxaAXukOIIgdAjTh"
    "bCElKMltVly39HKpQQffkYzfHnE/kvHbR60XYfzKr7MrX2Hv1hmj4vX1GFpIzeKOMjGNSU"
    "nmIgVZixtXVctGRkr/hDQ8h3oGQx0RjHdPjuSxW0MDcc4B8UI571/3rg7fnnScPfVBog+P"
    "u3iX8B1ymqFqsPVLOthL6M+IpGzJaQkT2NNhQ8dp6+jclhwV3MeW/L5zWrghB2ipc0zU7O"
    "0n2SkqsmuQDTstbIHrsVZ+AEyRlAinDYI2f/lHrKkuYricl2eWfD2o/Xa5fLpr4XHp3cZx"
    "QbnhOJeQDvDaHi1dT1yXb+WMN60If8qeAgwerq52RaB65HUKdxritbNp0/D4XO0uvK/BJu"
    "wJmiwMEaIr6cCYl1U5fM2ipq1yPiTjkk1tNoFLXDMWpjbjK8VANEhHKT0mJX/agPlQM5k0"
    "yZ/uo9YLeUzWPJtwysT7dnhzrtzd9Qc/lexWQ5JdEByPiPL7/bB3fs9TBPuHIzJQlIs7da"
    "h86Su/dUH4vxH50rvqc/UxCf9wRPoDv7h/GE9IHLdO7sY7sI5RJ3e4mav6sJPBNKsExhGh"
    "9m2Z20Qu9K0GAq41uhsJeKhTzd9GWBTjsEz7YD4rtO/zLGff51lyv3N0ZZQ6/cowWcQF82"
    "ZfzYM+j1FnQ24Wit40s2iLTQi2r9l+LNBoP2Y22Y/xBuus8JMNNc/648usbfipGdJVWzC1"
    "hWkiopXbbB+SaV/rPS3Qek8zW+9pHGDPB9PZa1wG5qRk+8CufppmwNc5D+s9RwyrFAovp2"
    "dOSLYP79MiWQVOs5MKnCZyCtjwezmzmi8g7WiV29FeoEnY85TSR1hGqqRylaDvwraSuq7J"
    "VkpUai211Kw/2jb+gf0oOYPMZZojgi0kmptLLCftCSFLYLl1QlRwN15ibxqyVPBXrnNK0j"
    "JTFFjz+pLtm1nl+SZ5mH7InFd9SHqWWhZmr61OFoaOuQOSSqclnWPy6pB+Ms0MYbCpzmI3"
    "8Qt8L2gy4Q+3AvphWamFFaNIoGeMXtI79CJRVzzpGnfqB7fK4MKxxToHXjAVbiz1jnjQlV"
    "8UxzbrHR2sMBRUb0KFhmHSZzTJdBbO+1BShFuU02jL34oIEbiS50pUciuZj+oyDjduPbHb"
    "uDo1U2zlycOgKbaJuB9ECXhTJCXAKQCbJjUZbJNShsmoVI3H8tqYGhzE5siy4GMK1Pfoe1"
    "Y7jgu2Ae28/l/5/T6f2PO7/6ubwU9e8Tjbl0qsrjQWx2XlaFzn0fgZ6nhVf+G4rNR0nTXt"
    "7K9ZRc9RSanlOmuZZ4MuSWWGRCRzGR0H/6DjkmAGEhJLmZ51m9tPZXrWQltPy6Vn5X1jBZ"
    "jecXf1yaVbWSO//qXAhoaRjN28sZ61Alx/cWppJ6DBUFJ6d3TY8T+RoSbGbpdINRRPjNOS"
    "LiLqtEtNEwnvoGryMp379bUVsa3nsGoMSlsIUhBqXtnhCqJtcGngAjX2DRSL+sqedAF1oM"
    "0geURd8DKjHfYHEXAY7CY/4qewNgPiJQE1AW88HRHKlbITkEwAQS/gGeqLjACwm7nN8liw"
    "X2MRf2WcAxnnoP5dU0N3vMs4B/uo9RSCKzHZyHL3LuZPk+n2XavN77wvHPykdIHzOyK9iw"
    "u1f69cd4F3xN1prm++KO7p0D++843ve+O53niON/FhdTduN1Pv0yxqQ/UF6qy62thP+YSn"
    "JNkWEpHcZYy7ZMJispjEM3ufSURIbjNZfZsJm6qXRz8iJNFfA32atr8n2wHDKy/9Lsr7Xc"
    "g0XG1Kw9Wcxry61UmmjKo2ZVS84W7PoFfP1rpygrOaBJEVlHY2M+sx3ss5WZ9lrzai7BKW"
    "k3UGWFQrOU7Jcda0+20o2yU5zn3UehGO0+90EzrP2bAZiMiEFSn7NsRvAs9sttEr30KycS"
    "MBJv9cQGJjOyXWWW6MiLDYfoaTK55HiL2XrRom1tLCreSBHBXcT5iLh+LYbUjEunUdlcdE"
    "hE6CpTJ9cVimDaxizLRWKBDt25xAtG+TgWjHJuS5BrXUsMqXOoVZCSCjcjG0p1yweXjnte"
    "Gbh89XCrgdsrZ813fZc38uKC5GW/ZQ6V3FmzQlUzxBJK1fzoE6KiaRLoD0mH4vYwJyi0vj"
    "zzoR3hZmWrsumFbCl95iWgk/80NJgucgPXvEdW/w0LvqAuf3YJUOvnLfCaeXLke8hWWkTU"
    "Oa3aShqL42jbKGIvFtV4DsZ6+eRnYCS2ENd4G1shXdLGw2V7l2Y1akWIuiBTp59iIqim7B"
    "UBTkjILPEIumIZ3htzV2SUPR/pgMpKFoH7VexFCEplOk2eoTThv9c6JRRcVaaOLYSOoLnc"
    "IUmLPph5BIPWL/89u2JvY/nqC5QW2eK6dser4U0Wq+geUzjGYb+ZqYZNQJSVuWC0qGtL1Q"
    "rvpflCFnh/zDeuYEhbbN2ndaJNvsMLYhkdZEeq7MdyCyvik5vYrLtnCC1dwJVXIerUPLVt"
    "2vYQVtp4jLcGm117cIGZpUdfYWl6hUG0zS297oMkE6fkbmquEII7LyC6vbF5YwA+yGVj2n"
    "cwOS14MUQtW71MmjUjVRyI2atFE2VXKmkjOt5+SuoeyZ5Ez3UetFOFPpCL5Zz8OdJL2uN8"
    "4VZ73mfcpflJRqxWGZFiJcPd+v0YUX5bJwKw5EWghxkeTW2bmtRWrrEsuCcHouzEn6NQNM"
    "9gz8KyoSs7SeK8H8AJx/0PGa8LQqjm4szJS+btTbNgZvjmLE3k/jlJa5WDfo7aVb1XDR3n"
    "C35BnbsIIAwX2/orZCNUfzMTKtGTbWhOrar6itUBkmnSy01PSTJXC6dWppOUiq12FVg5bX"
    "Z7UVNQuuPwTCQoNfc+FR8dyg5roNisNk9UVNrUXLptqTOqfPaI7Ss+WWm1lpT9duXW1CbJ"
    "NWjfAUK8WyEZuBZVs3ErO+YmHePbELNOdh1E3ENGHZXYBtCxjQZA9js5HaibXO67PR46u4"
    "yN/eZkWBNqMWAkzrJoC6zgsexNDe2I1GxLHpvP5gAQvxhBgdEQye1+GJsUtT/LgwkVU4Mr"
    "xbqYwMv/anJA072+q7GkrxS8POPmq9iGFnKkaITMvDcv/USAV1ZnAZ3P/bBezPiPymKL92"
    "Af87Itc3g/ufu0D8xEfUIgzvxwIM78dMhvdjnEGfURP/VSqIVUhCxrBK8UPV0bM7iSu6BS"
    "GQqMcOBH6/1uxA8NgIPCmlk5iYVEzlimngNoV/PSgP5SNWOFJd4PyOyPBhMBC7FtyDEbl7"
    "OD9XlAteyD+s564FbwlXxuIalmmDF+6mjdreErdMdxWWkZF0Vu+Upphga7bSqiQmKv2d67"
    "MKSS4+o1xQUYInKiVjycS9cVw2Zlwa17igDH0kM9xXiWVOxCMt2GMQxbZ0XJ7QboVmfv5L"
    "Q/NE+7/lEY+C77oCeNudICPRBcrs7LXJzi4dGupgUQ05YqUYVKNuWtn21Jhf2HJrao+AQA"
    "bYFPxBMQEQuH1hF1gMKR2BBRdG3w3MTZKAk/fCXmnTJ0R+sMDdz70fT87eA2wBS3gqfoov"
    "6Dd3pxHxr3PTK9KnTFuQc46Asq6hw24rakBziHVwSE1hZeVPwM+KZ2J3BnAyZwVfMGvTCx"
    "vcXd/fHknbq7S9Sitcvda/0va6j1ovYnsV/XsZ5tYXqLOdddWdMmdFiFtWKif0UoK6Nam+"
    "chhuT3aL9oxr5fqzMixrz+hdXPcHPMk5+xkRp44uCNW1cyuFmOqoM2jNyrT2qFTrYo1Vb6"
    "hw56ArjCJRyRaOIs0dNZKTBahpyFhtthATlTaROuvZRM+sB1xFzVFJqeU6a9n/JEtbaZKS"
    "0rQQ344urYqVgyr4p1Xaa0JQNldpCduRJSxoi9IStgTaxGdbwBIWGpokvkvwTQ7jtcqyEt"
    "pEnmLmiW4xzzbzxPa0FzDzcLOK+YMFOA0DwnaXT4ASBAxkgkNepOOdd4wfUQvOipWkWFC+"
    "HizcVuh1y/+JGVWk4UQaTuo5iDaUQpeGk33UehHDiaT1i7WADdP6cnm9geU1n2aURDQkIu"
    "HMX1N7k7jtrEhqCunSJUmoQRVwKpU0RaU0xW6WeV4MrJQ1Xig8VvYCLxyJq8jqzi0frMiA"
    "iJFjicAiFtJ165MIS3L36wP3nHMULZzdXOc4Vyxt0Vdp3alrwVCbt54WiaVg3L9OAMrKJP"
    "zu+D48ar5Krzu5eKxr19bQZYRcPO6j1ossHnmHnVB3zm5pp3gLPe6qd0CSWQICd8ZCWQJO"
    "crIEnKRkCfDmCyUwDstskfPY1Pi/hVwM7EVTBoRshL3yW0TXu+UWEN4Aa5QWSuECaXgO9S"
    "zKKD2SgiNz7Mo21kSYBu2Fct6/7l0dvn3XcXpgNoJiZ6Xoof4u0XINE2spHXAutr6MBDcf"
    "XJ3NiFQ+nVMnMC2xQmaArqTg9uJ0fdhUJ1FxkK45Jio1J8hU/1xAYmM7ZYzLbcbpFazdpl"
    "cC/e0OW/T7zmnhFm0iBzGDui2wBN4J2X3sPsqA7YSApnxDA0nhdHLBTsjupl1vKvN01VBD"
    "U5vh59Uc5KOi0nW6Pgv5JH8j7Y/SCbU91p1kZiEZ1yID+OjAKhN15GYTkkkncrHaglHV/w"
    "Kzjavhj3SpkTUa+KaEtZUnaXBFwdSkc+EEay5IV1g9xQ25x+ykE80IgUyTmsJ4ynBD5rMz"
    "w0w3ulZ2C5504pm1sEcUJJsQiw0LHBrIxHQC2Ihj2h0wR5CEElLQBZlYgE4BgtoMiFjOq8"
    "ZFCYIOC2utjJIi7bW17+gaarmT9tp91HoRe60YM8rYY3yBFpoVq7fZspfR+TBcBuGwjIwg"
    "vhzjGeaR315VZ95SxnaQIrk948Gm+L7KjQfQSrF6XeoUZqDqCcSgnHKJ5rXePPr05uHzlQ"
    "Juh8p5/67vxmf3O3dxMUqqDpXeVZy4nkOjHLy+hMS3AL7eMicJcXZ6gbCMTC+wRjIasaAs"
    "g3wgIVPQVK4OSehvYENRlMQoCmpUSoIaN50vSElAAwkJZr7JyVykpL8rbW6KZfRtJrBLTU"
    "5Bq5IbtbZtykvpZCvANrTbqqXYRoeWOm2CE3bAFCONZx/Mtsz4Rshi6cB5cTZVJKgLJk6i"
    "bnehz40nvgHFOgYPzt40EajExa0DJvCVB5y3kUmgDvCk4wSWP+okzDIbvNeIWBRAIhKF6w"
    "wYHpEezw1q2sB6woYljDEmfbEA1Dk5+QoMNgIgYmfvqgt9RBZl35Bjj/Ru7rYXcfulO+48"
    "eWmokYaamnaXDaXspaFmH7VexFAT6rOTKs9gCgORPF03UM95pCHTVWw5uaLT++5d3RvkgM"
    "33TKmr7JCJCu6jn3uZbTLO/CyBcF46YlegdbsTNxHhPzIXLgpxTEwCvRRoyURLJroZoArm"
    "QXVW3iWRTRGVIbnlbghJodYe2yIUalYnUQHAnA+1+n5tjewYlmKc0jvWKjB3WAkZnHVIR0"
    "uoa/c9S1LYFphiHlhbyCLhu0+DqGsdEVJN+PnPHYK4A6iow4nERhc2K4mSEdyqr7686781"
    "gydn71ODtsltAJJdrv1I0lCeUbLL+6j1IuwyHwrKxhcLy7RwM8DJ2VmRGGNnZzkpU88S/J"
    "0z8JVAOZBoIcbVU0vuZCWJcLbTaUikHl6n/Lat8Tp1J41lFBISkQqpXCFs+WkvUvRRLMFD"
    "IL1FnvtfD8qDclFSAa5UFzi/IzJ8GAz6g5+6wD0YkbuH83NFueCF/MMRuez1r/gp53dELh"
    "5ur/rnbJDuAv8wvqoq0tlVH+xvsjB0zENQqnRakp1MEZXsZDy9+Yul8ilfEtfMHWURGbmX"
    "LL6XTMDjMQ5lYQ3LSWhToeW+gUZ5ZENiEthUYKeQLXZK4xpISVjjsHopLVSXLCqBbZqoBD"
    "gO8BQTbM1WYnJiojJOX32YmyRhJ50pNpHb3GWwS6fhTgjKWXW8W9JRSUxDIhLNKJp/0HFJ"
    "MAMJiaX0RtmRN0rQS1YAb7sTmCcGlAIJ4nmHWQGwd9x3eHKJC4XvbCi8obGlALCs86wA11"
    "+cWtoJaDC+lPbn2UXU2YagHGckVBHSswKIXCemIX1ReI0tGqM2Gns2Dbp8N7EwwsXcxdSo"
    "npc7jv02e3UCwtIXHqEVEm/L8Au0gImmPDIsOOQ7h6fYtGxw17tS7tT+9e3N8F697v2uKs"
    "PhzfCOy7JC86Ok79hG7lDEfSzFXZBvupY+YtJHrK79UkO9haSP2D5qvYiPmOhwE/rOTszl"
    "Ft8eM79JtVZMzrswJdDMyTTpS7Rug+FG8kw+Q31Ryp3RF2gdvhvJlsr6OSstHEE2wIFECz"
    "0ZTwthfJqD8WkS49rsPqwb9hshfHe6jaumCK+9j2vXMcciiXXSVujxzDs5a3ORJzCS8afY"
    "Zi4+ExLL5VAaF3YbRCY/UjZTBKJioKPJIzLZG6BnZAJ3otxx/3UAZWtr9F1Dhp1YmG/mNi"
    "PibwJzGf6jY/DNQqyFsqb/jYE9HyPTitzRx4cn6jzpgNPj42Nw6DTrow6wKLBfKE8/Q7SF"
    "abKC4MXENq9Fg4RQG4wpuyWPqeCmnLGYwsAY6vxrKxbdzH2+RBgzyRVIrqCevW1DV42SK9"
    "hHrRfhCvw+OKHzTL4gLCI5gxTO4AmnpTYutm3Dk63zyutgqJwr/dv7LnAPRoTbD7rCijAi"
    "vYtfHu7ur5UBKxAcj8j5zQM/JX7i86LdbMuQ8eZKTSlWijfnTghVOLUd748SQCdkJdpL0G"
    "4G2dNkOo1qYjm0yjwpJtrCiVJzJ0bSXVu6azcaWRlVUHoa14lvlnHv6hP3TnpxV+7FvRsr"
    "SQ+ZWJsdpJhH3CudPLsIDMosM4dk47rcCbAUe5/JMqWOSCn8kqvE9Vj72pNL2WT9MzItXG"
    "7JFxKpM8206qpvE+Gg+EdVAmG3eAvR3YgLELuj7Vp1owjnpX71RbYfemg389bKggwlZrjb"
    "HMz+/n8pBJbj"
)
