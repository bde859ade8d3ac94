from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "files" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "blob_key" VARCHAR(512) NOT NULL UNIQUE,
    "sha256" VARCHAR(64) NOT NULL,
    "size" BIGINT NOT NULL,
    "content_type" VARCHAR(100) NOT NULL,
    "filename" VARCHAR(255) NOT NULL,
    "width" INT,
    "height" INT,
    "owner_id" UUID NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_files_sha256_5b08ba" ON "files" ("sha256");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "files";"""


MODELS_STATE = (
    "eJztXW1z2rgW/isavtx0JjeTkrduttMZkpAu2wS6CezubHPHEVhgXYzkteQkbG/++5Vkg9"
    "8ppjE1RF8CSOdY8nP0cvQcSflam1AT2Wyv4eBPaFo7BV9rBE6Q+JLI2QU16DhhukzgsG8r"
    "UehgY4ymKhH2GXfhgIv0IbQZEkkmYgMXOxxTIqUbYAIHFiYIDGyMCP8XA0L5FDCLPhJAyQ"
    "AByMA964+N946Lhvjpg/GeoYGL+If7XcA4dZEpRZgF60fHO37Wmz1ZukkHonhMRmUWdEe6"
    "FgL+L2CJfJEJ+pgzQIdAlONSZyrUKYACAqZELIDFY+BQlEhMUQvkMGBTOvbE58BC0FG19w"
    "j+20MGpyPELeSKd/jyH5GMiYmeEJv9dMbGECPbjFkLm/IBKt3gU0el9Xqti0slKZHpGwNq"
    "exMSSjtTblEyF/c8bO5JHZk3QgS5kCMzYkfi2XZg8lmSX2ORwF0PzatqhgkmGkLPlq2h9n"
    "7okYFsBECVJP8cfgiqFhEzjHana9w2u4ZRSzUeWYWEmYOkASWy4WHCJVBfn/3nhoCo1Jos"
    "4PyXxs3OwfEbBQFlfOSqTAVX7VkpQg59VQV6iLKwuMTEgDyN9oXI4XiCshGPayaQNwPVvd"
    "mXVSwwSwhNEPa/Gbgz+EoAvCZe0OwQexrYfoEBuq3r5m23cf1ZFjdh7G9b4dfoNmVOXaVO"
    "E6k7vr2oGFr8MWf+EPBHq/sLkD/BX512M2nVuVz3r5qsE/Q4NQh9NKAZaaaz1BlqQjK0uu"
    "eYK1o9rqmtXhWrzzCKmD2ofWh19Zmy97kF3Wxbz+QTVhZobaJdJ/DJsBEZcUv8fLu/v8Cw"
    "vzdu1JAqpBLWagdZdT/vOYavP+MWQTjUeBmMvz1nrQ/h42UATvaGCL7HSXh998SQvkcRjB"
    "NqW9iYjw+XgPr4MBdqmZWAekDlM1Io/3rbaeegPNdIzgl4wMH/gI0ZLwvoiB/W97DNMWF7"
    "srwf4YpJhGLTwQzmnevGn0kLnF91zpLjvHzAWcIc6MnBInuF6Tqu+QLTdTCgVKUjbO7snH"
    "bKXPRAxys5ZXFNbeUqW9kW62fDYyvZOamrLV1lS9NHgbxRjMaI6rwkmVFds36Du5D00HCc"
    "SV0orNLgXlIX4RH5hKYK4paoCCSDrIVMwAf2GNpEH/B51nZmqWFvduHjnFCLNSnx8uKVEf"
    "dd5sbteeOiWVMY9+Fg/Ahd04iBLXNonSZS5rLprEl9kkyBBI4UOvI1ZKUD2K/oCJNLiG3P"
    "RbUMmjaWv7uIrLWlpDH0RZembKU8MoFS3gVj5HCACeAWApIs60OGJOHJLZdybgtDAIuK1w"
    "Jw4FLGQONzC7jIsfEAsiye9oWfrnnUCoxFu5pHfUWMmuZRX6PVl+FR0UQM7kUoqLlCWeTT"
    "j6P56kfLkE9CKpd9UnlxvgM7RdD1pbcP2peh9VIO9I/x9m7QUHRAq0vHiGR5e7H8hd6e60"
    "sKX0iILuntdQgCmDFPeGSBOlDqe0AVqMLcVMgod00Gx10EILgfwgm2p/c/A+GlQeWfMAcR"
    "6ab56im/r6Ry7sgOQ5yB+2Dtf/9GBd1VSUw5lQQ98Z+BI0pEhEt3EqpHcF8f+ASRL/ooPE"
    "0E/CK1b6l9S+1laN9SW70qvqU/LhcZVUONcgnDdTpC3zOOhliqua9wvDiutXVx+ZcPFlco"
    "Olm1gWpzB6aM+Wi1mJUOV22IfXX4+TVYWXTHojHJiIoOSS4OSXpMRyS/HZGMNKgqBSQV6h"
    "nU1Mwa+ZSUfKHlmKh8LDULU4GuvatZmFe0HtcszGu0+iZE+CrEF5QS4HMgY49UTNhFyZmU"
    "4hZu568fHS2F+NECxI+SiLvUzjn70yTeJOWXxtd3ge76sK71bps3Bd0DpXMK5N870ri4br"
    "VPgfpIRul+zOkVzAzhGOKHDCucUQEwJDnuWlQvYYG+UCzLBLMRZ73+2VmncxWbI85a3QTG"
    "veuzpsBeQS+EsL92aLW7WewvMx6gjcUkPORZK7PFM3j2EzS/UZ2J2/fXCmxxCJtH9IR/oj"
    "sGmpefbpCtwvH5K/XwLoENm3Ly1uoJSjC51WJ1pJIbPLYRr//S/nei9Cvtbys4Q2xnHSks"
    "gs6tur/iEtubuFzKBalMTku2pwxKK2hm+YzWrCWXSmh9iZ1NiLAkQu6LcC8h91QlLARd3h"
    "e5Kk/TYJoGq2YP31BCRNNgr9Hqy9BgYwFpEXZmJq/3Yi9xxcJ8eluFkgm114Z17bdes9e8"
    "KMrK+FqnwP+8Ize9drvV/ngKgi935LZ3ft5sXkih+dc7ctloXckk//OOnDfa580rlTT/Wg"
    "1mx3Gp7HMZtry0KeQ5RGZEKWHCodQqayDc39tfv7tx0emdXTXB55vmeeu2FVyQMR/oVGac"
    "zblpNq7S/WVU6PaiucJKPaRiFE3Zo9FENMVMfLvoKacFR1S2AeFF03bzz25sxk7d6TJvzF"
    "ed9seZePKilzjikHM0cXjGqNEiOYhHVRKQy+VkWSNGWU16JGvw7/rbw5PDdwfHh++EiKrl"
    "POVkgU3SfK/sISuAmlRbH7AHGwKsix4wC3iZJUGNquiWmgTUgVMxxWd41vnXa0VUqnG/li"
    "x2a+7XElmy/gXsEWp8lzk2Zw4s514z16WuQNUs5NjFtbbB9yj9hIZCbAUfL6W4DWiv29MT"
    "CxF3Ne4srqkDz9WhytIM6RATzKyVzJxQ1Xausp1jwaiChk7qaktX2dL6/j59f18FTstU9f"
    "6+yGaMjB0G8a0a+RsN5rtC9NEZvWdA7xnYlOix3jPwGq2+zJ6Bvk37cmNtEUYnqrN1B2iO"
    "3taX4HOEVC6ho/ISnIL6/11FMA419O6MJXZn4H+yDmrgUW7IY6axvnBHmfD6EY+f6vWDg5"
    "P6/sHxu6PDk5Ojd/vz0Ec6a1EM5Kz1UYZBYvCn4yKiEhwR7mNXoGkn9bbwTFgp/69I+t5F"
    "/ydUVGcLcS7l7N0jNnnGKcfcoWQuv9JYUjFG6KWDpxbCIyvDo8xFM1TQcKbh1CSXJrk0yZ"
    "VLcjWQiwdWLYPgCnJ2F/4X4VCmMuxW7jiZ2Z8zxsjAfNVdfb3ICJlPZj0gN3s3VL7TFFHR"
    "PtNyPpPsVAUQDsS3EN1SPP9gxZRGOH/HU0Rl/TvQNnzPU4ED6i8/mT3/H9NftY4="
)
