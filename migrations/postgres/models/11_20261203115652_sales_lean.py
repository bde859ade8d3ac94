from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


# `sales` made lean for the bulk import (issue 13): a BIGINT key instead of a UUID, no timestamps,
# no foreign-key constraints (the ORM relations stay). Written by hand: the key changes type, so
# the table is rebuilt (no table references sales); rows keep their order of creation.
async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "sales" RENAME TO "sales_before_lean";
ALTER TABLE "sales_before_lean" DROP CONSTRAINT "uid_sales_product_5780ee";
ALTER INDEX "sales_pkey" RENAME TO "sales_before_lean_pkey";
DROP INDEX IF EXISTS "idx_sales_company_be83f1";
CREATE TABLE "sales" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "sold_on" DATE NOT NULL,
    "quantity" DECIMAL(16,3) NOT NULL,
    "unit_price" DECIMAL(14,4),
    "store" VARCHAR(64) NOT NULL,
    "external_id" VARCHAR(64) NOT NULL,
    "company_id" UUID NOT NULL,
    "product_id" UUID NOT NULL,
    "sales_import_id" UUID,
    CONSTRAINT "uid_sales_product_5780ee" UNIQUE ("product_id", "sold_on", "external_id", "store")
);
CREATE INDEX "idx_sales_company_be83f1" ON "sales" ("company_id", "sold_on");
INSERT INTO "sales" ("sold_on", "quantity", "unit_price", "store", "external_id", "company_id", "product_id", "sales_import_id")
    SELECT "sold_on", "quantity", "unit_price", "store", "external_id", "company_id", "product_id", "sales_import_id" FROM "sales_before_lean" ORDER BY "created_at", "id";
DROP TABLE "sales_before_lean";"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "sales" RENAME TO "sales_lean";
ALTER TABLE "sales_lean" DROP CONSTRAINT "uid_sales_product_5780ee";
ALTER INDEX "sales_pkey" RENAME TO "sales_lean_pkey";
DROP INDEX IF EXISTS "idx_sales_company_be83f1";
CREATE TABLE "sales" (
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
CREATE INDEX "idx_sales_company_be83f1" ON "sales" ("company_id", "sold_on");
INSERT INTO "sales" ("id", "created_at", "updated_at", "sold_on", "quantity", "unit_price", "store", "external_id", "company_id", "product_id", "sales_import_id")
    SELECT gen_random_uuid(), now(), now(), "sold_on", "quantity", "unit_price", "store", "external_id", "company_id", "product_id", "sales_import_id" FROM "sales_lean"
    WHERE "company_id" IN (SELECT "id" FROM "companies")
    AND "product_id" IN (SELECT "id" FROM "products");
DROP TABLE "sales_lean";"""


MODELS_STATE = (
    "eJztXWtT4zjW/isqvgxUZahuaOje9NZWBXD3ZAYCG6Bn3p1sGSVRiAZH8tgONLs7//2V5P"
    "s1drAT29EXYmwd2X6OrMtzjs75796CTpFmHvZ0/At63euC/+4RuEDsIHKlA/agrvvn+QkL"
    "jjVRFOpYfUKv4iQcm5YBJxY7P4OaidipKTInBtYtTAkv3QMLOJljgsBEw4hYP5iACXeBOa"
    "cvBFAyQQCa4MEcP6l/1w00w9//of7dRBMDWf946ADTogaa8iLmHB6dnO7blw4O+d2ndMJu"
    "j8ljlTcakbs5AvZ/YM6us4tgjC0T0Blg9zGo/srEKYAMAlMUmQPMqoEzdkcyZU+BdBNolD"
    "4t2e9kjqDOKh2RHliayLAfEzAMTTCjBnhgT4sM9kBcdIqRCV6wNQcWewY4mdAlscA+e3om"
    "OrVfyhHgt8SEVYOf0Yiwih4pQQeHoAcmdKFD8urcaP/B+f+BvZN14N+Y38G5xCrWXj8Ha2"
    "YXCf8zIm6R3sVVfwBe5hQwYKDFngZbHXYH3fJqM9CEGtMuYC0IWUxL7CS0vLdgd2dPbAGL"
    "ArLUtBHhL8zF+FPamL1Q44nL7bNiY6RR8mjy4oEntWF6pC5M2GkZS4L/XCLVoo+IlTZY+/"
    "j93+w0JlP0HZnuv/qTOsNIm4a+BDzlFYjzqvWqi3P39/2LL6Ikb3VjdUK15YL4pfVXa06J"
    "V3y5xNNDLsOvPSIGIgco8I3wF3Y+J/eU/cTshGUskfeoU//EFM3gUuNf2t7fZ0sy4R8YEH"
    "fifz78w3m0QDFVHVzfqbfKnaruxT5M/giRT8g5NaGEf9SYWByo//5l1+sDIs7u8Ruc/9Qb"
    "7h+fHggIqGk9GuKigGvvLyEILWiLCtB9lJ1Go0IrjvYFu2LhBUpGPCwZQX7qiB66B+towD"
    "3hq8Dv21xwXfgqAHyPveD0mn2Bju4zFHDXv1Ju73pXN/x2C9P8UxP49e4UfuVInH2NnN23"
    "9UVZt233514l4Nf+3U+A/wv+dT1Qolr1yt39a48/E1xaVCX0RYXTQDN1z7qosZK+1pf6dE"
    "2thyWl1uuidRejgNqdp/e1Ln5j+j6fQyNZ1275iJYZWk3U6wJ+VzVEHq05+/f9u3cZiv3W"
    "G4oulZWKaGvgXDqyr/0VwteezRRB2JcoB+PVY9bmED7NA3D0awjgexqF1576qXxeVwTjiF"
    "gLG/PphxxQn35IhZpfikA9obyOGMo/314PUlD2JKJjAp5Y4H9Aw6ZVFdCBedh4iTU2xTUP"
    "+f22MRXjCIWGAxfm/aveb1ENnF9en0X7eV7BWUQd6LuO2eU1huuwZAnDtdOh1OVDaO7oHJ"
    "+UGeiZPq01KQtLSi3XWcsaNC2VswZr6DkqKzVdZ0071IhajMgIS72B0GiOZlfSFz6mggkr"
    "iGhQRuL511+ccZs9JbJBAqo4tl+ogfAj+QW9CoT77EEgmSStDR36+t5EeabV9YTUP+s/og"
    "FfPIoy1KDYuwtaVbw9ewAwuL+83EvqB0qA9dyvqZ3Ihju/ELbnvdvz3oWyJ5rvGE6eXqAx"
    "VUPtmF+hRzRyxisbv7Q4WkTPQAIfBT78RfhjO9Bf0kdMvkCsLQ20l2CwCV3vZJltNF5Snd"
    "lFcxtveHk0BULYofexsAQATu2OoYm46cOaG9SyNM7Vzyl7LQAnBjVN0LvpAwPpGp5AM8li"
    "U3LtkvWvQTffkaz/DvG/kvXfRa3nYf3RgnXuRQhTT6AqqnR7pPTRSR6qlJVK5UrFtfCaBO"
    "tF0LVLtw/ackjo2NpkO7O9IZqxD3B+R58QSZrtha5nzvYMuySbC7GiOWd71wQBbJpLNiNz"
    "xIEQPwTihsLhhbIyYrrG3WQMBCB4mMEF1l4fPgM2S4NifmLqiPBpmi0em/dVdJ8R2Rc+JQ"
    "8OU/VwIJxDxJ2EBwsg6Lv1GejsjogIhxQoqrBseWDTmXbRFzbTRMC+pZxbyrmlnGXIuaXU"
    "el3mlna/XKRX9SXK7Fm3OxEqh9oWY19h74awVOu8SMp3baiRLb1uHVVzO6aE8Wg9C6s0rj"
    "ZEv9JZYhe0zDdmFLT2BkSqnWHURanrW3uX5iaNvTWFdKVNMtCg6mSQFKgnUFOuNtIpKf5C"
    "+ZiodCwlC1ODT7sjWZgdWo9LFmYXtd4EC1+N+IJKDHw6NM0XygbsouRMTLCFm0+OTk5yIX"
    "6SgfhJFHGDaik71RSyXMTmpeH1nSO7Oaz37m+VYcHpgZDpAv53RMQe7q69lTtqpdvOXits"
    "qvYW9rgWzigDGJKU6VpQLqKBMROsSgVuj7PZ+dnZ9fVlaIw4699FML6/OlMY9gJ6Vgjba4"
    "f+4C6J/TXVZ6hhNgjPrKSVWfYInlyD5DfqM3Db87UCLg5+8wjG+oh8jo7kl1+GSBPm+PSV"
    "uh9VpJEqjy3VI4xg1NNifaCi/h0NG6Fz4fUHHb8RpZ/puK3gzLCWtP+1CDq3IpDNF6w1cb"
    "WUCySNvkLNelV58B38Vrgu7coUVleeHqrRgBnLN7cuB66hW1MrO/QJYlW/uSsXtbS1STkg"
    "sVIGO+S3KAevc6++lrauGeudJ3w/rbF8K2RfnKqGy7aChckztn09+fpugnT+dm/CrO/VuA"
    "OQcTdXCVcmXAu0GCPDnGP9jR/jlVdRW7t8E7IxX8ULnRpvHRxveVV9UVNL25Vp0cmTuqDP"
    "aIHIm+HilV05dbUIsCrt1HyRmGCmdtaO6VZqd3laqZH699Be7oDlk5X7nbUdaC3FQ8wRNK"
    "wxuyquSdO2NG3Xc/xoqJFTmrZ3Uet5TNtPDNIiFle3vNxfmSPInze8rWNm9aU3hvXeP++V"
    "e+WiqKXVluoC+3dEhveDQX/wtQucgxG5vT8/V5QLXsg7HJEvvf4lP2X/jsh5b3CuXIpT3m"
    "E9rLW6Qfk3l6DLLxqFVopzQkAoosIZl6qqI3x3+G7z042L6/uzSwXcDJXz/m3fCdHodXTi"
    "YthCO1R6l/Hv5bFQ/FxPYK0vpGaLh6p7owVrion43qHvKS04INIGhLOGbeW3u9CIHYsq6j"
    "Xmy+vBV7d4NNRoGHFoWWiRyK/3SQriQZEI5DjXini9HqOqJv3In+DHo/cfPn74dHz64RMr"
    "Ip7SO/MxQydxHw7+hawBalRsc8AeNwRYAz1j02FmcoIaFJEtNQqoDl/ZEJ8ws04P8BwQqU"
    "eEZ37b1kR4Zpf48xfQhy/xJnU0ZwysJrK2YVCDoTotNLELS7Vh7lH5rmuB2BpzvJhgG9De"
    "9EyPLUSM9bizsKR0Jq0PVRZnSGeYYHO+lpojolLPddZzyBhVUNFRWanpOmtaRpAvP8zOFi"
    "PI181uVElQgQ2HkK8ppuvHkPfCCsgQ8lsIIb897+OGwC19aKXbXgO90AKbcRKc0cJbddJ9"
    "0rxdQTJyinQvk+5lTXE0ku5lu6j1PO5lJu/4izD/nsAGo0tQAz9iAu2xqHryv3z3pLFGx3"
    "z3ehGggzKti1Jz8v4oB8asVCrI4lqE5J/Do5PTQo3Zk5DukjncJfF/kqKh4MdUHwRXYnP+"
    "B1XCa7sg/O3o6Pj449G749NPJx8+fjz59M7zRYhfynJKOOt/5X4JIfjjjgrsISxELBu7Ak"
    "07KtfCwEuVpLDnKxxxXADroEwLca4kwNULnloJocRSuxKv/Fp9Sc0YgLK9meYIP84T5u2p"
    "aPoCEs44nDWKkL8a6Zrkeaj5wkeaFqVpsSGAStOiNC3WFFhpWpTWstqAVaW17MyAJGx6Cl"
    "3oZNnIxryINJJJI5k0kjXKXCKNZLuo9TxGsqJ8YIu5wEo414KWsbYaxSrBFmoYmkmxVtM3"
    "1gVE6rHRkd+vNRsdJwywR2oUavFBmTZs/6qo3ceYkzxrUWyhRTkL0T6rqXm62Mr6KhTrOm"
    "GZFY2Fnb7aSgjBvXLZtXc3R4BVicj0R8pmLECnHA2goekjMroAAp4h7gcTjKHGGR+ATcBW"
    "YcBcLgCd8UNsAOeGh3sRlEutfERG5GHfoUs6wESsyTCZgwcuZbcgXqNTgFXqCAJoIIY5Dw"
    "SKpuAd2MfsCSDX20EHvO+Ao8PDw86ImBRYLxS8GOwjMPhjQAvwaZz9QEwlgAc5QmCf34JX"
    "PAV/0HGH3XFKl0wB7KHHC2wdgAkkhFpgTK054B2gQCVhDfu7S/3w6+7b2PEEQ0EJAykHgz"
    "EJ5ZpXrnlrOktu5upHrnl3Ueu5HEPdzjmm83Rvr4BImzy+SoziA82kGD4507p50nXmFfZ6"
    "v/aGF10gfkbk/Ho4VM7v+teDLvCPR2SofFOGt73LLnCPRqR3czO8/sbPuUfRudV2vHftCV"
    "zCEiHD89GXadOXsGHfR5ElRn1mU9OCoa+icm3SQWm90RRZiVlT04khX6IevFDLAmDZeWyK"
    "LWXCUtJ/JgJqYB2ZF9GAiIQz2x1paUpvpNVOM4EGtdoZKUCPvBHV9qX9igIb7vuKeiNtgN"
    "60c9Ol05te7rrV9KaXMG81uXlNEHDmPg6h6FKQopLPABJgr8wBWw6aALqlO4AgdgjQlLOF"
    "lKA4t1ly3dLLpQYdfEcyfjvE/UjGbxe1nofxK77OLn2FvV1njJLX12NoIjWNO0rFNCIlmY"
    "sEZE1uXFVNC+kJ/ROa4AXUUhjqkGC0e7IlD50aGohzBogXynn/qne5//6oY++p9xN9uNzF"
    "h5jvkN0MVZ2tX5LBXkF/hiRlS05KmMCeDusaTlpHZ7bksOAutuTTznHuhuyjpS4wUdO3n6"
    "SnqEivQTbspLAFjsda8QEwQVIinDQIWvzlH/FEdRDDxbw80+TrQe23y+XTWQuPC+82jgrK"
    "DceZhLSP1+Zo6XriunorZ7RphfhT9hRgcH95uS0C1SWvE7jTAK+dTpsGx+dyd+H97m/Cnq"
    "LpUhchuv4tkiXTpTFBasQiB/kcWLSFBDfHrNzLwWsmNSyVsyYplyxqsWle7JrOHmjO15O+"
    "qJ+0UvpVSpa1AbOmZvJtkmXdRa3n8qusec7hhOn5zfD6XLm97Q++FuxWA5Jd4B+PiPLb3b"
    "B3fscTCXuHIzJQlItbdah86yu/dkHwvxH51rvsc/UxCe9wRPoDr7h3GE1bHLVhbseHsI6x"
    "Kbe45av84JT+ZKwAxiGh9m2sqyJj+kbDBdca3UrCImp04m02zItxUKZ9MJ/k2h16krE79C"
    "S+Kzq8MkqcfqUYNqKCWbOv5kGfxbuzITcNRXeambfFxgTb12w/5Wi0n1Kb7Kdog7VX+PGG"
    "mmUj8mTebB6qGdJl2zknS8NAZFJsS35Apn2t9zhH6z1Obb3HUYBdTszekVwE5rhk+8Auf5"
    "qmw9cFD/69QAyrBAovo2eOSbYP7+M8uQeO01MPHMcyD1jwezHjmycgrW2lW9teoEHY8xTS"
    "R1BGqqR0laDvwgKTuK5JV0pY6k1qqVl/tGn8fftRfAaZyTSHBFtINDeXWI7bEwKWwGLrhL"
    "DgdnzJ3jVkqeCtXBeUJOWvyLHm9STbN7PK8mByMf2YOq/6GPc/NU3MXludLnUNczcllc4K"
    "utBk1SG9aaLDRIIHQ16gk90fJMKRhZnvDhLD9pb1r1q6S3VYtEV5W46PPp563pD8n6xu5J"
    "Z12Zdxb8imxOioapzbToAOz82fTPnDrYF+UFZqYc0wKegZo5fkuUiesEKudI3nI3s3yuDC"
    "diOwD9xoQdzO7x7xqEI/K7ZbgXu0t8YspnzrP9R1gz6jaao3fNaHkiDcos5/w9+KiIG5lt"
    "NVWHIjqb3qMsFp3FJ4u4GjaqbY0rPjQUPsg3I+iALwJkhKgBMANgxqMNimhWzqYakaj+W1"
    "sZLZiC2QacLHBKjv0Pe0dhwVbAPaWf2/8ttdNiftdf+X14OvbvEoUZ1oE1hrLI7KytG4zq"
    "PxM9Twuq7uUVmp6Tpr2t5Ato6ew5JSy3XWMk93XpAcDohISjg8Dv5BxwXB9CUkljL/8Cb3"
    "V8v8w7n2VhfLP8z7xhIwveU7LaZfnMoa+fWvBDYwjKRsV4/0rCXg+rNdSzsB9YeSwtv/g3"
    "tWYimYIux2gVxa0cxPLekiwv7m1DCQcGwrJ/HYuVdfWxHbeJK2xqC0gSgcgeaVHo8j3AZX"
    "RuZQI99AvrDG7EmXUAOTOSSPqAte5rTD/iAC9v1ACAf8FJ7MgXhJQA3AG09HxCqm7AQkU0"
    "DQC3iG2jIlwnE1t1kd7Pj3SEhrGaJDhuiof9fU0GANMkTHLmo9geCKTTbSdirk86dJ3bFQ"
    "q7gNvC8cfFW6wP4dkd7Fhdq/U666wD3i7jRX198U53TgH8/5xvO9cV1vXMeb6LC6Hbebmf"
    "tp5rWhegJ1Vl1t7Kd8wlOQbAuISO4ywl0yYTFZjOOZvkUqJCR3SK2/Q4pN1YujHxKS6L8B"
    "fZq0NS3dAcMtL/0uivtdyDxzbcoz15zGvL7VSeZEKzcnWrThbs6gV8/WunYGv5pESRaUdj"
    "oz6zLeqzlZj2UvN2TyCpaTdQZYVCs5Tslx1rT7bSjbJTnOXdR6Ho7T63RjOs/YsOmLyIws"
    "Cfs2xG8Mz3S20S3fQrKxktiofy4hsbCVEKYvM7xJUGw3IyHmT5TF3stSdQNPkiIFZYEcFt"
    "xNmPNHkdluNM+6dR1lo+tmECvSFwdl2sAqRkxruWIov8+Iofw+HkN5bECeTHOSGBH8i0Zh"
    "WobTsFwE7RkXbB7eWW34+v7sUgE3Q9aWb/sOe+7NBcXFcMseKr3LaJOmZIaniCT1yxlQh8"
    "Uk0jmQHtOEyDzpJiCnuDT+vCU4IQ8cldxZ58iI4klvMCOKl7SkIMGzl5z45Ko3uO9ddoH9"
    "u7dOB1+674TdSxcj3oIy0qYhzW7SUFRfm0ZRQ5H4tktA9sytp5GdwEpYg11grWxF10uLzV"
    "WunJgVCdaicIFOlr2IiqIbMBT56c7gM8SiaUhn+E2NXdJQtDsmA2ko2kWt5zEUodkMTSz1"
    "CSeN/hnRqMJiLTRxVJK1RaMwAeZ0+iEgUo+0Ffy2rUlbgadooVOLp3kqmlkyQbScb2D1DK"
    "PZRr4m5se1Q9IW5YLiIW0vlMv+N2XI2SHvsJ7pbKFlsfadFMk2PYxtQKQ1kZ5L8x0IrW8K"
    "Tq+isi2cYDV3QhWfR2vQtFTna1hD2wniMlxa7fUtQobGVZ2+xSUs1QaT9KY3ukyRhp+RsW"
    "44wpCs/MLq9oXFzADboVXP6UKH5HUvgVB1L3WyqNSJKORETaqUTZWcqeRM6zm5ayh7JjnT"
    "XdR6Hs5UOoJX63m4lXzt9ca55ITtvE/5DyWFWnFQpoUIl8/3T+jSjXKZuxX7Ii2EOE9e9v"
    "S07CIre4FlQTA9F+Yk/RsDTPZ0/AvKE7O0nivB7ACcf9DxG+FpVRzdSJgp7a1Rb9sYvDmM"
    "EXu/Cae0jOVbg95+caoaLtsb7pY8YwuWECC471XUVqgWaDFGhjnH+huhuvIqaitUukGny0"
    "li+skCON3YtbQcJNXtsMpBy+2z2oqaCd8+BMJcg19z4VHxQqfGWxsUh8nsi5pai5ZFJ0/q"
    "gj6jBUrOlltsZjV5unLqahNiVVo1glOsBMtGZAaWbt2IzfryhXl3xS7QgodRNxDThGl1Ab"
    "ZMoEODPYzFRmo71jqvz0KPr+Iif3uLFQWTOTURYFo3ANQ0XnAvgnZlNxoR26bz+oMJTMQT"
    "YnREMHhehyvGLs3w49JAZu7I8E6lMjL8mz8ladjZVN/VUIpfGnZ2Uet5DDszMUKkWh5W+6"
    "eGKqgzg8vg/r8uYH9G5FdF+aUL+N8Ruboe3P3UBeInOqLmYXg/5WB4P6UyvJ+iDPqcGvg/"
    "hYJYBSRkDKsEP1QNPTuTuLxbEHyJeuxA4PdrzQ4El43A00I6iYhJxZSumAZuU/jnvXJfPG"
    "KFLdUF9u+IDO8HA7FrwTkYkdv783NFueCFvMN67lpwl3BFLK5BmTZ44VZt1HaXuEW6q6CM"
    "jKSzfqc0wwSb87VWJRFR6e9cn1VIfPEZ5oLyEjxhKRlLJuqN47Ax48K4RgVl6COZ4b5MLD"
    "MiHk38PQZhbAvH5QnsVmjm578yNE+4/1sd8cj/rkuAt90JMmJdoMzOXpvs7NKhoQ4W1YAj"
    "VoJBNeymlW5PjfiFrbam9gjwZYBFwR8UEwCB0xd2gcmQ0hBYcmH0XcfcJAk4eS/slRZ9Qu"
    "QHE9z+1Pvx6OQUYBOYwlPxc3RBX92dRsS7zk2vSJsxbUHOOQLKuoYOu62oAS0g1sA+NYSV"
    "lT8BPyueid0ZwOmCFXzBrE0vLXB7dXdzIG2v0vYqrXD1Wv9K2+suaj2P7VX070WYW0+gzn"
    "bWdXfKnOQhblmpjNBLMerWoNraYbhd2Q3aM66UqzNlWNSe0bu46g94knP2MyJ2HV0QqGvr"
    "Vgox1VHn0JwXae1hqdbFGivfUOHMQdcYRcKSLRxFmjtqxCcLcDJB+nqzhYiotInUWc8Gem"
    "Y94DpqDktKLddZy94nWdhKE5eUpoXodnRpVSwdVME/rdNeY4KyuUpL2JYsYX5blJawFdDG"
    "PtsclrDA0CTxXYFvfBivVZaVwCbyBDNPeIt5upknsqc9h5mHm1WMH0zAaRgQtLt8BpQgoC"
    "MD7PMiHfe8bfwIW3DWrCTBgvL73tJphW63/O+IUUUaTqThpJ6DaEMpdGk42UWt5zGcSFo/"
    "XwuomNaXy+sKltd8mlEQ0YCIhDN7Te1O4jazIqkppCuXJIEGlcOpVNIUpdIU21nmuTGwEt"
    "Z4gfBY6Qu8YCSuPKs7p7y/IgMiRo4pAouYSNPMzyIsye0v99xzzla0cHZznOMcsaRFX6l1"
    "J64FA23efFrGloJR/zoBKCsT87vj+/Co8Sq97uTisa5dW0OXEXLxuItaz7N45B12TN0Zu6"
    "Xt4i30uCvfAUlmCfDdGXNlCTjKyBJwlJAlwJ0vFMA4KLNBzqOq8X8DuRjYiyYMCOkIu+U3"
    "iK57yw0gXAFrlBRK4QJN8AJqaZRRciQFW+bQkW2siTAJ2gvlvH/Vu9x//6Fj98BsBMX2St"
    "FF/UOs5eoGniR0wJnYejIS3GxwNTYjUvl0Tp3CpMQKqQG64oKbi9P1sapOouQgXQtMVGpM"
    "kaH+uYTEwlbCGJfZjJMreHObXgv091ts0aed49wt2kA2Yjp1WmABvGOyu9h9FAHbDgFN+Y"
    "YGksDpZIIdk91Ou64q83TZUENjMsfP6znIh0Wl63R9FvJx/kbaH6UTanusO/HMQjKuRQrw"
    "4YFVJurIzCYkk05kYrUBo6r3BaYbV4Mf6UojazjwTQFrK0/S4IiCmUEXwgnWWJKusHqKG3"
    "KP2WknnBECGQY1hPGU4YaMZ3uGmWx0Le0WPOnEM2thj8hPNiEWGybY15GB6RSwEcewOmCB"
    "IAkkpKBLMjUBnQEEJ3MgYjmvGxfFDzosrLUySoq019a+o2uo5U7aa3dR63nstWLMKGKP8Q"
    "RaaFYs32bLXkbjw3ARhIMyMoL4aoznmEd+e1XteUsR20GC5OaMB1XxfaUbD6CZYPX6olGY"
    "gqorEIFyxiWa13qz6NPr+7NLBdwMlfP+bd+Jz+517uJimFQdKr3LKHG9gHoxeD0JiW8OfN"
    "1lThzi9PQCQRmZXuANyWjEgrII8r6ETEFTujokoV/BhqIwiZEX1LCUBDVqOl+SgoD6EhLM"
    "bJOTsUxIf1fY3BTJ6NtMYFeanPxWJTdqbdqUl9DJloBtYLdVS7ENDy112gQn7IAJRhrXPp"
    "humfGMkPnSgfPibKpIUBdM7UTdzkKfG088A4p5CO7tvWkiUImDWwdM4SsPOG8hg0AN4GnH"
    "Dix/0ImZZSq814iYFEAiEoVrDBgekR4vdGpYwHzCuimMMQZ9MQHUODn5CnQ2AiBiHY7IiP"
    "QIYDKITH9csLFBY8/CMAMCzg7QEKuXP5yw5yy1J6fiLoDgrP+1P7hjD4KEkx94Qq9gn1C+"
    "2Y8wtfDnIhRwFpd9aAvdyVTOTs3sD/FHLhBouGBfPKdj/+Qh+uGrd+/r4dWBbbiyH2BELP"
    "iETDuZurPJEE9N29D14G6BfHDj95usFfEKLWE0ZViKdu584Oyes6XJKoNuVSPCtyAKfTmP"
    "bQs4va3znxncocgTsvPiThqB9A2Lgf7JpKx7sk29rl6dT1FoduVmRle+mA3sDD+mklyJ06"
    "IEXsvpTN5m/qqSRrR5rb8dHR0ffzx6d3z66eTDx48nn955BFf8UhbTZbf18FrKZb/SbWMB"
    "/cZNJCmEjS+SZRtp7piUyN307pTIrH5N3+Ptexw3yA+Wb11R19moEBbcRXfjIrsV7L48hn"
    "BWVlhHoHWbxKoItB4aN/NCHBGTQK8EWhKCkhBsBqhiGq7ay4SCyCaIysjI0il9DbbFfQBJ"
    "ZW0K3DxcVlo3UQLCnJgy+15tjewaVoOc0EHWKkRyUAsp7GFASStIROc9C5KJJphhzaWpkP"
    "Cipn78q44IbiVoq4VN1XUA1W3Ci/NMdGmxkigeS6v86os7YZtzeHRymhg+SzpkS4fs2o8l"
    "DXXNlQ7Zu6j1PA7ZfCgoGukpKNNCt+yjk5M80Z5OTjKSV57EKDx74CuAsi/RQozLZ5ecyU"
    "oc4XT3v4BIPfz/+G1b4//nTBqLKCQgIhVSukK48XqZoI98ofZ96Q1S3f+8V+6Vi4IKcKS6"
    "wP4dkeH9YNAffO0C52BEbu/PzxXlghfyDkfkS69/yU/ZvyNycX9z2T9ng3QXeIfRVVWezq"
    "78sGvTpa5hHgxQpbOCBGWCqCQoo4mmX0yVT/niuKa6PYRk5K6e6K4eAY/LOBSFNSgnoU2E"
    "lntp6cWRDYhJYBOBnUG22CmMqy8lYY3C6nrWqQ5ZVADbJFEJcBTgGSbYnK/F5EREZcS0+j"
    "A3ccJO+lNUkWXaYbALJ0SOCcpZdbRb0lBBTAMiEs0wmn/QcUEwfQmJpXRI2dLWKr+XLAHe"
    "dqeSjg0oOVJ18w6zBGBvufvw9AvOFUixofAGxpYcwLLOswRcf7ZraSeg/vhS2J9nG/E/G4"
    "JylJFQRXDFEiBynJiG9EXhNbZojKo0CmgSdNluYkGE87mLqWE9r3Yc+3X+aofmpC88ViYk"
    "7ubNF2g6WxOn9t7IGTZMC9z2LpVbtX91cz28U696v6nKcHg9vOWyrNDiIO47Vskd8riPJb"
    "gL8u2v0kdM+ojVtV9qqLeQ9BHbRa3n8RETHW5M3+kpkpzim2Pmq1RryeS8A1MMzYycf55E"
    "6/YYVpLx7xlqy0LujJ5A6/CtJG8l6+fMpIgE6QD7Ei30ZDzOhfFxBsbHcYxrswGxbthXQv"
    "hudR9XTRFeSfes2se17ehPoRQnSSv0aA6UjLW5yNgWyr2SbzMXnwmJ5XIgoYYTKYmymSIQ"
    "FQMNTR+Rwd4APSMDOBPljvOvDShbW6PvE6RbsYV5NbdxohfxTWAOw39wCB5MxFooa/oPDO"
    "zFGBlm6I4ePjxl4lEHHB8eHoJ9u1kfdIBJgfVCeSIQMlkaBisIXgxs8VomkPCgT2PKbsnD"
    "KjjJP0TEpTHU+NeWLxiS83yxqEeSK5BcQT1724auGiVXsItaz8MVeH1wTOepfEFQRHIGCZ"
    "zBE05KMptv24YrW+eV195QOVf6N3dd4ByMCLcfdIUVYUR6Fz/f395dKQNWwD8ekfPre35K"
    "/ETnRdvZliFDzhWaUqwVcs6ZEKpwZtneHwWAjslKtFeg3Qyyp8l0Gp2I5dA686SIaAsnSs"
    "2dGEl3bemu3WhkZWBB6WlcJ75ZRr7bbhIH6cVdqRf3dqwkPWTgyXwvwTziXOlk2UWgX2aV"
    "OSQd19VOgIXY+13JS/BGcimdrH9GhomLLfkCInWmmdZd9VURDop/VAUQdoq3EN1KXIDYHS"
    "3HqhtGOCsJpyey+dBD25m3lhZkKDbD3eRg9tf/A2JLxug="
)
