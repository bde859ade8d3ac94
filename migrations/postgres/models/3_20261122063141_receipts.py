from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "brands" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "key" VARCHAR(100) NOT NULL UNIQUE,
    "aliases" JSONB NOT NULL,
    "category" VARCHAR(100)
);
        CREATE TABLE IF NOT EXISTS "loyalty_rules" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "version" INT NOT NULL UNIQUE,
    "base_points" INT NOT NULL,
    "spend_step" DECIMAL(12,2) NOT NULL,
    "points_per_step" INT NOT NULL,
    "multiplier" DECIMAL(6,3) NOT NULL,
    "multiplier_min_receipts" INT NOT NULL,
    "category_points" INT NOT NULL,
    "strategic_categories" JSONB NOT NULL,
    "created_by_id" UUID REFERENCES "users" ("id") ON DELETE SET NULL
);
COMMENT ON TABLE "loyalty_rules" IS 'One version of the points rules; an update adds a version, never edits one.';
        CREATE TABLE IF NOT EXISTS "receipts" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "sha256" VARCHAR(64) NOT NULL,
    "dedup_key" VARCHAR(64),
    "store" VARCHAR(255),
    "location" VARCHAR(500),
    "purchase_date" DATE,
    "purchase_time" VARCHAR(8),
    "total" DECIMAL(12,2),
    "currency" VARCHAR(3),
    "receipt_number" VARCHAR(64),
    "payment_method" VARCHAR(32),
    "taxes" JSONB NOT NULL,
    "warnings" JSONB NOT NULL,
    "extraction" JSONB,
    "sort_date" TIMESTAMPTZ NOT NULL,
    "sort_total" DECIMAL(12,2) NOT NULL,
    "purchase_month" VARCHAR(7),
    "possible_duplicate_of_id" UUID,
    "points" INT NOT NULL,
    "awarded_at" TIMESTAMPTZ,
    "rules_version" INT,
    "earlier_awarded" INT,
    "error_code" VARCHAR(64),
    "error_message" TEXT,
    "extracted_at" TIMESTAMPTZ,
    "validated_at" TIMESTAMPTZ,
    "deleted_at" TIMESTAMPTZ,
    "file_id" UUID REFERENCES "files" ("id") ON DELETE SET NULL,
    "job_id" UUID REFERENCES "jobs" ("id") ON DELETE SET NULL,
    "owner_id" UUID NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_receipts_owner_i_4f2324" UNIQUE ("owner_id", "dedup_key")
);
CREATE INDEX IF NOT EXISTS "idx_receipts_owner_i_2a43b5" ON "receipts" ("owner_id", "created_at");
CREATE INDEX IF NOT EXISTS "idx_receipts_owner_i_cdef4a" ON "receipts" ("owner_id", "sort_date");
CREATE INDEX IF NOT EXISTS "idx_receipts_owner_i_045996" ON "receipts" ("owner_id", "sort_total");
CREATE INDEX IF NOT EXISTS "idx_receipts_owner_i_d58b2a" ON "receipts" ("owner_id", "purchase_date");
COMMENT ON COLUMN "receipts"."status" IS 'PROCESSING: PROCESSING\nEXTRACTED: EXTRACTED\nNEEDS_REVIEW: NEEDS_REVIEW\nVALIDATED: VALIDATED\nFAILED: FAILED';
        CREATE TABLE IF NOT EXISTS "loyalty_entries" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "sequence" INT NOT NULL,
    "reason" VARCHAR(16) NOT NULL,
    "points" INT NOT NULL,
    "rules_version" INT NOT NULL,
    "detail" JSONB NOT NULL,
    "receipt_id" UUID NOT NULL REFERENCES "receipts" ("id") ON DELETE CASCADE,
    "user_id" UUID NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_loyalty_ent_receipt_42a4c5" UNIQUE ("receipt_id", "sequence")
);
CREATE INDEX IF NOT EXISTS "idx_loyalty_ent_user_id_bb3a83" ON "loyalty_entries" ("user_id", "created_at");
COMMENT ON COLUMN "loyalty_entries"."reason" IS 'AWARD: AWARD\nCORRECTION: CORRECTION\nREVERSAL: REVERSAL';
COMMENT ON TABLE "loyalty_entries" IS 'The append-only points ledger: a user''s balance is the sum of their entries.';
        CREATE TABLE IF NOT EXISTS "receipt_corrections" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "action" VARCHAR(16) NOT NULL,
    "field" VARCHAR(64) NOT NULL,
    "item_id" UUID,
    "old_value" JSONB,
    "new_value" JSONB,
    "receipt_id" UUID NOT NULL REFERENCES "receipts" ("id") ON DELETE CASCADE,
    "user_id" UUID REFERENCES "users" ("id") ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS "idx_receipt_cor_receipt_f97120" ON "receipt_corrections" ("receipt_id", "created_at");
COMMENT ON COLUMN "receipt_corrections"."action" IS 'CHANGE: CHANGE\nADD_ITEM: ADD_ITEM\nREMOVE_ITEM: REMOVE_ITEM';
COMMENT ON TABLE "receipt_corrections" IS 'One manual change: who, when (created_at), which field or item, the old and new value.';
        CREATE TABLE IF NOT EXISTS "receipt_items" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "position" INT NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "quantity" DECIMAL(12,3),
    "unit_price" DECIMAL(12,2),
    "total" DECIMAL(12,2) NOT NULL,
    "category" VARCHAR(100),
    "brand_score" DOUBLE PRECISION,
    "confidence" DOUBLE PRECISION,
    "box" JSONB,
    "source" VARCHAR(16) NOT NULL,
    "brand_id" UUID REFERENCES "brands" ("id") ON DELETE SET NULL,
    "receipt_id" UUID NOT NULL REFERENCES "receipts" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_receipt_ite_receipt_b11945" ON "receipt_items" ("receipt_id", "position");
COMMENT ON COLUMN "receipt_items"."source" IS 'EXTRACTED: EXTRACTED\nMANUAL: MANUAL';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "loyalty_rules";
        DROP TABLE IF EXISTS "brands";
        DROP TABLE IF EXISTS "receipt_items";
        DROP TABLE IF EXISTS "receipts";
        DROP TABLE IF EXISTS "receipt_corrections";
        DROP TABLE IF EXISTS "loyalty_entries";"""


MODELS_STATE = (
    "eJztXW1z4rYW/isavjQ7QzO75GX30k5nCHG2tAT2ErLd6XLHEViAGyNR22yS27v//Ury+y"
    "s2MWCMvgRi6cjmObJ09BzpnH9qC6IgzThtLdXf0UutCf6pYbhA9EuopA5qcLn0rrMLJhxr"
    "vCpcqvIjeuEX4dgwdTgx6fUp1AxELynImOjq0lQJZrVbYAEncxUjMNFUhM0fDECFm8CYky"
    "cMCJ4gAA3wYIwf5Z+XOpqqz7/IPxtooiPzl4c6MEyiI4VVMeawcXF5YhW9OWV3V8iE3l7F"
    "s23eaISHcwSs/8CcltNCMFZNA5ApoPfRyfKFihMAKQQGrzIHKm0GTukdsUKfAi0NoBHyuK"
    "KfkzmCS/70K6z+vUKySWbInCOd/oav/6GXVaygZ2Q4/y4f5amKNCWgLVVhDfDrsvmy5Nfu"
    "7zvXN7wmQ2YsT4i2WmCv9vLFnBPsVl+tVOWUybCyGcJIhyZSfHrEK02zVe5csp6YXjD1FX"
    "IfVfEuKGgKVxrrDbWfpys8YZ0A8DuxP+e/2I/mqybLvf5QvpOGslyLdB72CCE125cmBLOO"
    "p2KTAfXPd6tdDxB+tcZu0P61NTg5u3zDISCGOdN5IYer9p0LQhNaohx0D2WqcYaJDM0o2t"
    "e0xFQXKB7xoGQIecUWPXW+bKIB54KnAu/9c8B14NsC4DX6A5U+1l5s3acoYNi5le6GrdtP"
    "7HYLw/hb4/i1hhIrafCrL6GrJ5a+CB1arDHHbQT80Rn+Cti/4M9+Twpr1a03/LPGngmuTC"
    "Jj8iRDxddNnasOarSmp/XVUtlQ60FJofWyaN3ByKd2++k9rfPPiL7bc6jH69qpH9IyResQ"
    "9bqAz7KG8Myc03/fvX2botjPrQEfUmmtkLZ6dlHDKvsewNeacfMg7EkUg/H6OWt3CF9mAT"
    "j8NvjwvQzDa5knMrM98mAcEqtgZ748zwD15Xki1KwoBPWEsDYiKP921+8loOxKhOcEdWKC"
    "/wFNNcxtAe2zw8YrVTNVbJyy++3DFGMIBaYDB+aT29aXsAba3f5VeJxnDVyF1IGelyot3m"
    "C6DkoWMF3bA0pZXoTDnZ2jRpmOvpHHjYyyoKTQcpm1rNH1s7wyNtJzWFZousyaJk8UeTkf"
    "jeGXKZLMKK9a13AXjB6aPsZSFxyrKLg3REfqDP+OXjjEHfogEE/iFjI2H3hvoEO0Ab87fc"
    "e56r3NOnxyCbVAl6I/nv5kZFomc+uu3bqWahzjMZw8PkFdkQNgsxLSIKErbt1o0aKxCF+B"
    "GM44OuxnsIe2Ye+SmYpvoKqtdFSLoWkD5fU0slZjNeWpVTUzZcvqIwVw4Tp4REsTqBiYcw"
    "QYWTaGBmKEpznXiWlqVBFgTujPAnCiE8MArU8doKOlpk6gEcfTFty64FFLMBbVBY96RIya"
    "4FGPUetZeFS0oIN7HgrKFdgW+bQ/mq9xkYV8orUS2SdeFuQ71GUedK3a1YO2GFovYkDvx9"
    "oboCl9AedD8ohwnLUXKE+19nSrJrWFaNWM1l4fI6AaxopaZLY44OKngN+Qu7kJrcPNNeYc"
    "1xGA4GEKF6r28vAToFYa5PaJsUSYmWmWeMTu29J9RvjEQKYBHuy1/8Mb7nTndzK4UYnRs/"
    "kTWNI7ImwycxLyJkxLHlgEkVX1iVqaCFi3FLalsC2FlSFsS6H1stiW1ricZ1T1JLZLGO7S"
    "EHrNOOphyee+3P7ioFTl/PLFO4tL5J0s20B1uANTzHy0mc9KuKsORL/C/XwMWqavY16fpE"
    "9EuCTTXZIrQ3gk13skfR2qTA5JjnoMNeVoI5mSYj8oGxOVjKVgYUrwatcFC3NE63HBwhyj"
    "1g/Bw1civmArDr4lNIwnQifsvORMRLCC2/kbFxeZEL9IQfwijLhOtISzPxJeLSJ2aXB9Z8"
    "vuDuva/Z00yGkecJkmYH9HuHV92+k1Af8Ie+n2c3pFNWRqGKrfYrRwRSjAECeYa365kAbG"
    "VHBbKnBGnN3aZ1f9fjcwR1x1hiGM72+vJIo9h55WUq21Q6c3jGN/Dfkb1FQ6CU/NuJVZ+g"
    "we34LgN8ozcVv2Wo4tDl738J/wD72OtuTN7wOkcXd88krdiyVwYFNO0lo9RAmGt1psjlR4"
    "g0cV8fqLjF+J0m9kXFVwpqoWd6QwDzp3PH7Fjaod4nIpE0gaeYGa+SKzmBvqa+HqWo1JtK"
    "3KDlEOYPrq1b3LhmvgtHSQk/i6AX2CaNOvHsp5K1XtUjZItJZOv7JbFINX222vQr1rm4Q8"
    "mwxj+Hh7jkym451peKts/NfAwSofxUvrfaVrY2iu+EPMEdTNMS3lZYLDFxx+OYfGA2VzBY"
    "d/jFrPwuE/UkjzUMtOfXGQJEN8GHd624RP9qR3hnXt3/fSvXSdl1K2pJrA+hzhwX2v1+l9"
    "bAL7ywjf3bfbknTNKrlfR/im1emyS9bnCLdbvbbU5Zfcr+WgpZc6Ye9cjC5vNALNBC+MTy"
    "ikwimT2tZA+Pb07e7Njev+/VVXAp8GUrtz17Gj+7gDHS8MUtEDqdWNvi+zXKHXXIGN3pCS"
    "LR62PRotaFeMxXeInhN6sE+kCginTdvSl2Fgxo4EpHI7c7ff++hUD0epCiIOTRMtYnmEDk"
    "5A3C8SgpwtJ7c1YmyrS8/YE/zYeHf+/vzD2eX5B1qFP6V75X2KTqLOKvaGbABqWGx3wJ4d"
    "CLA6+qYaNuWSEVS/iOipYUCX8IVO8TGWdXJsQJ9IOYIDsttWJjggLWLPn0MfnsSr1HE4c+"
    "B2gjLqOtEpqkouwy4oVQXbY+vHyzhiG9h4EcEqoL1rS48uRPTNuLOgpNg1Ux6qLMqQTlWs"
    "GvON1BwSFXous54Dzqicig7LCk2XWdMi+KgIPrqH/QD1AoOP7m/bSjnHpd1uvvDttYvZgx"
    "HciZe8FcPd9CdORopdFWJXxaH418WuimPUepZdFWONjNm5iTycl1+mcucjL941MjBetFYi"
    "5cXLQqwLT8+YB2NPQuxfybB/Rf1v3Dk8dZboFHIkducQ2ia8lk/oX43G2dn7xtuzyw8X5+"
    "/fX3x46zqHokVpXqKrzkfmKArAH/Uc0YcwETYt7HJ07bBcBY/8biUdHbO986b888tUEOet"
    "HK1+UhUz5hB74lDi1t9oLCnZ2rRo9/IcqbN5jEWZiKYnIOCMwiloQEEDChpQ0IAb04BXOs"
    "RBTi1QUE8j/8asimD/BPsn2L+D4oEE+3eMWs/C/okM8ttdsuckVqvKqW4FW6ip0MiX1Nwn"
    "Uo6Ny5XKaj6hgM2InqvH+2WqsJ1zS/1+o4hYqokWxaytOrSlw9PFXtZXgRg9McuscAyftC"
    "y4kdBB6xOjDecI0CYRVn4k1GIBS8LQABpSZkhvAghYaOsfDDCGGiMwgGrlEDNWC5bKjH5V"
    "dWDfMJoFt8jGR3iEH05sBqAODES7DJV588CkrB7EWrQr0EZtQcBSrOHVYox0pIC34ESlTw"
    "CZ3t7Uwbs6aJyentZHmOXifSLgSacvgc4eA5qAmXHWA1GVAHZoGYETdgvWsAL+IuM6vaNC"
    "VlQB9KHHC9V8AyYQY2KCMTHngA2ASRnWvjpsBit3fo0VHyQQZMQXK90fY0SsecWat6RW8m"
    "GufsSa9xi1nmXN6w7OEZ0nbxbwiVRpw0CBp3KhEXcmN2M8ale6zLxCrfVHa3DdBPxjhNv9"
    "wUBqDzv9XhN430d4IH2WBnetbhM438J2VKaVQ/GBQbixlqPTewKiy8d1eRZWUv5Grcucp9"
    "HDcgLdGHQVZMZmbEjmdjyJclA7FTuTboXQzLcaCUqJrQchUEXqNpG6bd8bOdambosZBQpA"
    "tXoRh8PABse+MqXFC4TFTmYo3bDZ6xlKN1b3en6yjxGwbR+bE3RYRN7ITwBiYC2uAV3RGQ"
    "A6tesAI/oVIIURfgSjKD1ZcNtio0oJBvi6IO2OiL4RpN0xaj0LaZd/nV34Cnu/+ykKXl+P"
    "oYHk3JRQSEowFzHIGsw/KhsmWsaMT2iiLqCWQDIHBMPDkyV5ardwgDingHgttTu3re7Ju0"
    "a9EUoD53AX55HtP1Y3lJd0/RIP9hpiMyApenJcDFP6dOpSU2MT7aX15KDgMfbky/pZ5o7s"
    "oSUvVCwnH4pIjhqb3ILo2HEHV+1NZ/knwBhJgXDcJGiyHz9TJ7KNWGzus2QyP0m+HNR+tX"
    "Zt2mvh8UtOLjoi+AoGo5w7B4slpD28dkdLlxPXteRppGsF+FP6FKB33+3ui0B1yOsY7tTH"
    "ayfTpv75udiDdF+986sKUlZLHqQlugcxLdGZv8wguikzPiShyCQmNeAiZcuVPpmzlaIlKl"
    "hSwZKW1Oo5TL5MsKTHqPVMWxtLnsYrxrz+NOi3pbu7Tu9jzmHVJ9kE3vcRlr4MB632kOXm"
    "cr+OcE+Sru/kgfS5I/3RBP7/Rvhzq9th6qMS7tdwzq+wt3E/m/jKGEdsj+erig8k5plNOT"
    "AOCFXvFNs20g3S9U6uXuwIVA/drYSw0sjEPdmXFWO/TPVgvsh0FPMi5SjmRfQIcnClE2to"
    "JbggwoJpdtbhQZ/GkNPJNQlFx6DM2mMjgtXrth8ydNoPiV32Q7jDWiv2aEdN8+a4Mq925J"
    "QM6aI9kpOVriM8yXf+3SdTvd57lqH3niX23rMwwM6eSuv4bx6Yo5LVA7t4M20JXxYsUOsC"
    "Uaxy5d6OSlYP77MscaLPksNEn0WiRJvwOZ+bzBUQfrHC/WJPUMf0eXLpwy8jVFK4StAz95"
    "XErmuSlRKUEhkyN8ff8wdFLchUTjkgWEFK+XAp5KjnwOfZy7dOCAruZ9fXtpIuF7550Vm5"
    "LgiOizWeYc3rSlbPskrba+Rg+j7Rrnof3SlqGCr92bKyWmoq21Akk2nOzS5pbYh9LwcYae"
    "BQ0rPz0FYbOXKDkiK7Z5kn3f0GkyiZYot+hRDU+d5o+4XIAW+MpAA4BmCemH1ClFzsfVCq"
    "elZM8XychdgCGQacxUA9pCvdNKh9glVAO238l74M01e/7vDf7fc+OtXDS+JY9mGjuTgsK2"
    "bjMs/G36Cmbrp9LiwrNF1mTVubyjfRc1BSaLnMWmZJ8HKu930iYnkfnAf/IuOcYHoSAkuR"
    "zm2XZ65EOrdM563Wp3MLD6cFYHrH9nQqN3ZjB/n2rwXWN40kHGELjawF4Pqb1Uo1AfWmkt"
    "xHAv27YyOZFYKY50mREU7oUJEhIrizjeg64i70YvKJtN32qorYznOvHAxKOziZ6+teyWd0"
    "g31w7WldOfQOZAt1SJ90BTUwmUM8Q03wNCd1+gdhcOIdrnzDLqmTOeA/EhAdsM5T5/ELCb"
    "0AsQIwegLfoLZKiHq4ndusD4D4NRTmUmQ0Ecd+yz80HegBUHHs9xi1HkNwRYyNpD2R2Y79"
    "Ju6NLNUJUTYW9j5KTWB9jnDr+lruDKXbJnC+sdwbt/3Pkn3Z90940sziviv+8O7UefGyek"
    "hdgTIrpjTeUWbO5KTSfCKCmQwxk1SYm4JRPJO3WgeExE7rzXdaU0M8P/oBIYG+yHZSqgFl"
    "b9lODqczb+7nEJk5is3MEe64u3MhlbO3bpxHpiSx+jiJmswFOhzrehbQ5XWLDdy3hlejg4"
    "HKmxWsmmDVSjr8Hii/Ili1Y9R6FlbNHXQjOk85yOSJiLjgMScF+GcEz2QGzKlfQQJsK3G/"
    "/l5BbKpmTAia1KO7frHjjPKTPV0D/V2mvNTVuATiqSAHBY8T5uwnpPcbqapsQ0fhoaqglc"
    "ciz1jsl6nC+aGQuydTfMB3KfEB30XjA451yFI6TWKjXd5oBCbl2QrKhdCeMsHDwzutD/fv"
    "r7oS+DSgffmuYzO6ri3IC4M9eyC1uuEuTfBUVRCOG5dToA6KCaQzID0mz3ncEnZ14ZB4Te"
    "CdlR7XrzPG9XaldxjX2w29nZPgqcWH775t9e5b3SawPmubDPCF+/OtUTof8eaXET4N4XYT"
    "jqLy+jTyOor4u10AsldOOwc5CKyF1T8ElspX1EJ0cT6vxbiJ7JJ6mocIenW26RrK5QBKJC"
    "pjB8sYitLW3+scP6XnJ5P9PYkReZKXycnBeARrmcBaspcqB8J29QqiuxUSgt7RRDhmyk9e"
    "svlEdh/G9sDXbRHja5eT2ff/A1kf3uw="
)
