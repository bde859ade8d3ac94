from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "login_failures" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "email" VARCHAR(254) NOT NULL,
    "ip" VARCHAR(64) NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_login_failu_email_08d632" ON "login_failures" ("email");
CREATE INDEX IF NOT EXISTS "idx_login_failu_ip_de13e6" ON "login_failures" ("ip");
COMMENT ON TABLE "login_failures" IS 'A failed login, kept in the database so throttling holds across API replicas.';
CREATE TABLE IF NOT EXISTS "users" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "email" VARCHAR(254) NOT NULL UNIQUE,
    "password_hash" VARCHAR(255) NOT NULL,
    "role" VARCHAR(16) NOT NULL,
    "is_active" BOOL NOT NULL,
    "tokens_valid_after" TIMESTAMPTZ
);
COMMENT ON COLUMN "users"."role" IS 'USER: USER\nADMIN: ADMIN';
CREATE TABLE IF NOT EXISTS "api_keys" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "prefix" VARCHAR(16) NOT NULL UNIQUE,
    "secret_hash" VARCHAR(64) NOT NULL,
    "scopes" JSONB NOT NULL,
    "expires_at" TIMESTAMPTZ,
    "revoked_at" TIMESTAMPTZ,
    "last_used_at" TIMESTAMPTZ,
    "owner_id" UUID NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
);
COMMENT ON TABLE "api_keys" IS 'A machine client''s key: shown once as `sbk_<prefix>_<secret>`, stored as sha256(secret).';
CREATE TABLE IF NOT EXISTS "refresh_tokens" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "family" UUID NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "expires_at" TIMESTAMPTZ NOT NULL,
    "used_at" TIMESTAMPTZ,
    "revoked_at" TIMESTAMPTZ,
    "user_id" UUID NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_refresh_tok_family_8ce7f3" ON "refresh_tokens" ("family");
COMMENT ON TABLE "refresh_tokens" IS 'One issued refresh token. Tokens of one login share a `family`; rotation spends a token';
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSONB NOT NULL
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        """


MODELS_STATE = (
    "eJztXG1z2jgQ/isaf7l0hsu0NKGdtNMZkpAp1yZ0EnJ30+uNI+wFazCSa8khTJv/fpJs4x"
    "cMBQ4Sk/hLCKtdS34eWVo/a/PDGDEbXL7f9MgnmBhH6IdB8QjkP7mWGjKw5yV2ZRC452pX"
    "7BFzCBNtxD0ufGwJae9jl4M02cAtn3iCMKq8m2iELYdQQJZLgIrfOJLBR4g7bEwRoxYgzN"
    "EN7w3N954PfXL3wXzPwfJBfLipIS6YD7Zy4Q6uHzb2wqYX+6p3m1mye0IH2+zoG+06gMJv"
    "yJHtshH1iOCI9ZHsx2feRIYzhCUEXLs4iMjD4L7skdpyFOBx5DI2DOSn5QD29OgDSr4HYA"
    "o2AOGAL8/hn3+lmVAb7oDHX72h2Sfg2hm2iK0OoO2mmHjadn3dPj3TngqZnmkxNxjRxNub"
    "CIfRqXsQEHtfxai2AVDwsQA7xSMNXDeiPDaFI5YG4QcwHaqdGGzo48BVs8F43w+opSYB0j"
    "2pPwcfoqGl3EzzotM1r1pd0zRmJo8aQo7myGQxqiYeoUIB9eM+PG4CiLYaqoOTj83LvdeN"
    "FxoCxsXA140aLuNeB2KBw1ANeoKyZFxhYmIxi/apbBFkBMWIZyNzyNtR6H78zzoMxIaEgu"
    "T6i8GN4dsC4IY8QbtD3UnE/QICuu3z1lW3ef5FdTfi/Lur8Wt2W6qlrq2TnHUv5IvJpSVc"
    "c6YHQX+1ux+R+oq+di5aeVanft2vhhoTDgQzKRub2E5N09gaoyY9E9YDz16T9WxkxXpZWI"
    "8xStEejT5hXX/O8H3iYL+Y69g/x7JEaxd5HeE70wU6EI78+urlywXE/tm81Euq9MqxdRE1"
    "1cO2+wy+4Y67CsJJxGYw/vWe9XAIN5YBOH81pPBt5OEN0xNT5R6rYJwLe4KTuXGwBNSNg7"
    "lQq6Yc1BZTx5hB+Y+rzsUclKcR+T2BWAL9RC7hYltAp/KwXkBcQSjfV/09RiqmEMpsBzHM"
    "e+fNv/MMnHzuHOfXeXWA4xwdcOcR2bzGdp2N3MB2HS0oZbkQdnd3nk3KfLhlw7WSsmxkxX"
    "KZWXbl/bMZ8LV4zsdWTJeZaTaWyJuryRjpmE2KGeWl9RfahZKH+sNC6UJjNQvuGfOBDOgn"
    "mGiI23IgmFpFNzKRHnjNYRdzwPt47sTW5Gr28XgqqGWmlDx5ecogwpS5eXXSPG0ZGuMeto"
    "Zj7NtmBmzVwuosZ5n6zjaN6qO8BVM80Oio01CDjmD/zAaEnmHiBj4YBTJtpr22SKx1lafZ"
    "D12XlmyVP9hIB9fQEDyBCEXCAaTEsh7moARP4fhMCFcSgRwmTwthy2eco+aXNvLBc4mFeZ"
    "FOu+GjVzpqCdaiWqWjPiNFrdJRnyPry+ioMJKL+yoS1DRgW+LT48l89cNlxCfpNVd90m1Z"
    "vYN4q6Abej89aDcj680k0I+T7V1CX16ATpcNgRZle5n2hdmeH3rKXEi6LpntdSggwnkgM7"
    "IoHOnwfaQ71GVuJn10uqaK4z4gjG76eETcyc07JLM0rPMT7gFVaVoYPpP3bamfb3SPg+Do"
    "Jrr3v3mhi+66J66TSgp34h3yZI9AhUonsT6ECONRKBCFrmOZaQIKu6xyyyq3rLKMKresWC"
    "9Lbhmuy6usqknEdgXDh0yE/s86mmCp976V68XZqCdXl998sbhE1cmyLVS7uzAV7Efr1ayq"
    "ctWO8FuVn58Dy/JyXLUmmQqpSpKLS5IBryqSv65IpiZUmQqSGvUCaSpmY74kpU5oOSVqPp"
    "aVClOCS7tWqTDP6H68UmGeI+u7UOErkV6wlQKfhzkfM7lhryrOzAQ+wcf564eHSyF+uADx"
    "wzziPnPnvPvTosFoJi/N3t9FsQ+HtXF91bpcMT3QMUdI/f1Gm6fn7YsjpD/yVbrHeXuFcF"
    "MmhuS2gIVjJgHGdE66lo7LMdCTgduiIF5xHjY/O+50Pmf2iON2N4fx9flxS2KvoZdOJLx3"
    "aF90i9Rfbt5il8hNuC+K7swW7+DFR6j0jfJs3GG+tsIjDsn0SL/hn7sco8izT5fg6nL8/D"
    "v15LcEdmzLmXevnpME849arI9U/gGPp4LXNhWJJvjEcoyi37AIW2oLf8Mi8SmNLNGmYgVV"
    "QsGcmyrR0lne5HmghvB7/dXBm4O3rxsHb6WLHubU8mbBchvvYvNViFvweXSdLZszp0KqbH"
    "m5bFldVCsgHLk/QXS38p687FEALRBU5r9enAp5+PeLHyf12tibxI/6BOj9f/tqpPU="
)
