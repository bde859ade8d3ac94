from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "companies" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "timezone" VARCHAR(64) NOT NULL,
    "country" VARCHAR(2) NOT NULL
);
        CREATE TABLE IF NOT EXISTS "memberships" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "role" VARCHAR(16) NOT NULL /* ADMIN: ADMIN\nMEMBER: MEMBER */,
    "company_id" CHAR(36) NOT NULL REFERENCES "companies" ("id") ON DELETE CASCADE,
    "user_id" CHAR(36) NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_memberships_user_id_b1e58e" UNIQUE ("user_id", "company_id")
) /* A user's role in a company; one per (user, company). */;
        ALTER TABLE "api_keys" ADD "company_id" CHAR(36) REFERENCES "companies" ("id") ON DELETE CASCADE;
        ALTER TABLE "files" ADD "expires_at" TIMESTAMP;
        ALTER TABLE "files" ADD "store" VARCHAR(16) NOT NULL DEFAULT 'originals';
        CREATE INDEX "idx_files_expires_61492c" ON "files" ("expires_at");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_files_expires_61492c";
        ALTER TABLE "api_keys" DROP COLUMN "company_id";
        ALTER TABLE "files" DROP COLUMN "expires_at";
        ALTER TABLE "files" DROP COLUMN "store";
        DROP TABLE IF EXISTS "memberships";
        DROP TABLE IF EXISTS "companies";"""


MODELS_STATE = (
    "eJztXWtz4jjW/isqvkxSxaa6k066Nz01VYQ4vcwQ6JeQnqltthwBAjQxksc2uey8/d9X8v"
    "2OTQzYRl+CY+vI9nNk6eg5R0d/N5Z0ihT9pKXi39Br4xL83SBwidhB6EoTNKCqeuf5CQOO"
    "FbMoVLH8iF7Nk3CsGxqcGOz8DCo6YqemSJ9oWDUwJbx0CyzhZIEJAhMFI2L8pAMmfAn0BX"
    "0mgJIJAlAHD/r4Uf5Z1dAMv/wi/6yjiYaMXx6aQDeohqa8iL6Ap+cXR9al4xN+9ymdsNtj"
    "Mt/mjUZkuEDA+g8s2HV2EYyxoQM6A+w+GlVfmTgFkEGgm0UWALNq4IzdkUzZUyBVBwqljy"
    "v2O1kgqLJKR6QFVjrSrMcEDEMdzKgGHtjTIu3hBLTAhC5VSF7tEkcP9v8P7GGMY0/CYI9n"
    "X2Kvqbx+HhG7Ev4Y7CoJFGld33Z64HlBAXsjaLB3xgY4ekSq4damoQnVphbGK4L/WiHZoH"
    "PELmkM6e//YacxmaIXpDv/qo/yDCNlGmhTeMorMM/Lxqtqnru/71zfmCW5/sbyhCqrJfFK"
    "q6/GghK3+GqFpydchl+bI/ZS/Il9rY2sFMVumM4p64nZCUNbIfdRp96JKZrBlcLbbOPn2Y"
    "pMeFMF5p34nw+/2I/mKybLvf5QvpOGstyINHH+CKHGaJ+aUMI/D0wMDtTfP6x6PUDMsw1+"
    "g/a/WoOjs4tjEwKqG3PNvGjC1fhhCkIDWqIm6B7KthZlaETRvmZXDLxE8YgHJUPIT23RE+"
    "dgEw04JzwVeL2EA64D3xYAb7AXnPbZJ2HrPkUBw86tdDds3X7lt1vq+l+KiV9rKPErp+bZ"
    "19DZI0tflHWAVs/oVgJ+7wz/Bfi/4N/9nhTWqltu+O8Gfya4MqhM6LMMp75m6px1UGMlPa"
    "2v1OmGWg9KCq2XResORj6120/vad38jei7vYBavK6d8iEtM7SqqNclfJEVRObGgv37/t27"
    "FMV+aw3MLpWVCmmrZ186ta79COBr2QV5EPYkisF4/Zi1O4QvsgAc/hp8+F6E4bWMKJlbSH"
    "kwDonVsDFffMgA9cWHRKj5pRDUE8rriKD8612/l4CyKxEeE/DEAP8PFKwb2wLaZ4eNV1gx"
    "MNFP+P32YYpxhALDgQPz0W3rj7AG2t3+Vbif5xVchdSBXlTMLm8wXAclCxiu7Q6lLB9CdU"
    "fnqFGmoSf6uJFRFpQUWi6zlhU2y5fZ1H0TPYdlhabLrGmbMpHzERlBqTcQGtXR7Fr6wsPU"
    "ZKZyIuqXKZIgqiygnHKbPcbSQSZWUXBvqIbwnPyGXk2IO+xBIJnETQ5tJvheR1W0q384bc"
    "c5631HGnx2ScpAk2Ivz14ZGdY0pHXXbl1LjbiOoABY215Nlfz61wIb7P3ioeXNdwwnj89Q"
    "m8qBdsyv0FMaOuOWjV5ani7DZyCBcxMf/iL8sW3ou3SOyQ3EykpDjRjfR+B6M80DovCS8s"
    "wqmtkPwsujKTCFm8Ak3LFFzXNudwx1xL0IxkKjhqEwVYAFZa8F4ESjug5aXztAQ6qCJ1CP"
    "c34UXLug/UvQzTcF7X9ABLCg/Q9R61lof7RknXsextQV2BZXuj9W+vQ8C1fKSiWSpea14K"
    "QEq3nQtUrXD9piWOjI3GQ/1t4AzdgHuBjSR0TirL3A9VRrT7NKMluIFc1o7fUJAljXV8wi"
    "s8WBKX4CzBuasSOUlTHNNR5xoiEAwcMMLrHy+vAZMCsNmvaJriLCzTRLPGL3bek+I3KkI0"
    "MHDzZV9XBsRrKYdzJDSgBBL8ZnoLI7ImJwcxKaVRiWPLD4TKvoM7M0EbBuKWxLYVsKK0PY"
    "lkLrZbEtrX45T6/qSWyXi92lIVQMt22OfbnDG4JStQsjKT62oUTO9LJ1VNXtmGLGo81crM"
    "K7WhH9imiJQ9AyX+OQ093rExHe3nRv70oXzt71PklfgyqTQ9JEPYaacrSRTEnxF8rGRCVj"
    "KViYEnzaTcHCHNB8XLAwh6j1Knj4SsQXbMXBp0Jdf6ZswM5LzkQEa7j65PT8PBPi5ymIn4"
    "cR16iSsFRNIqtlxC4Nzu9s2d1h3bi/kwY5zQNT5hLwvyNirqq+tBZXh710+1lshXWZGYb4"
    "KUYLV5QBDEmCueaXC2lgzAS3pQKnx9mtfXbV73cDY8RVZxjC+P72SmLYm9CzQtiaO3R6wz"
    "j2V5efoILZIDwz4mZm6SN4fA2C3yjPwG3ZazlCHLzm4U+bEfocbcmb3wZIMd3xyTN1L0FH"
    "xYacpLl6iBIMh1psjlQ4wKOOeP1Jx29E6Vc6ris4M6zErYDNg86dmRTmBitVnC5lAkmhr1"
    "AxXmWeyAa/Fa6uVZnE6qptF+UApq3e3LpsuAZOTZUcxNd16BPEqn5zV27WUtcmZYPESmns"
    "kN+iGLzabn01bV1LtBwjTV9g9Y2A3boV1amNbdN3we2GGNeFbU4key4ci2WrjovvgeV9Pj"
    "aclfve0A1orMyHWCCoGWN21bwm3B3C3VHOL7yixLdwdxyi1rO4Ox4ZpHlYeKe8WHOTIfOT"
    "O7xtQr170jvDuvF/99K9dJ2XfbekLoH1OyKD+16v0/tyCeyDEbm7b7cl6ZoXcg9H5KbV6f"
    "JT1u+ItFu9ttQ1T7mH5WDwVY3yby5GlzcKhUaCw8onFFLhjEttqyN8d/Ju9+bGdf/+qiuB"
    "rwOp3bnr2Hm73I7OvBhk7QdSqxv9Xua5kiq6Aht9ISWbZ227N1qyphiL7xC9JLRgn0gdEE"
    "4btqU/hoERO5Jqzm3M3X7vi1M8nH8uiDg0DLSMpVw6JAFxv0gIcj6d3FaPsa0mPedP8I/T"
    "9x8+fvh0dvHhEytiPqV75mOKTqJ+Pf6FbABqWGx3wJ5VBFgNPWHd5mUyguoXES01DKgKX9"
    "kQH2NZJ2f99ImUI+0nv21t0n6yS/z5c+jDk3iTOqozBm4n3aqmUY2hOs1l2AWl6mB7bH0l"
    "nonYBjZeRLAOaO/a0mMTEW0z7iwoKQKMykOVRRnSGSZYX2yk5pCo0HOZ9RxwRuVUdFhWaL"
    "rMmhYpcEUK3D3EAzRzp8DNEta66wifcvZLuw2+8IUlxsRgBIMWk0Mx3PhIsYhURFWIqIqq"
    "+NdFVMUhaj1LVIW5hWkewssV2OFCO6rhOSbQGou2z3kV75UfK3TMF/LkAdovU7sFu+fvTz"
    "NgzEolgmxeC3Fb5ia8uRqzKyGihDJECeH/xi0MxfNE15sjsTu32zbhtTxv/zw9PTv7ePru"
    "7OLT+YePH88/vXNdcNFLab64q84X7o4LwB/1z7GHMBAxLOxyNO2wXA3XoG9lO08+w8m7Za"
    "pfpoY4b2Wt/zOeGjFZFRK7Erf8Rn1JyRiAop34C4Tnixi7PRFNT0DAGYWzRMlC1yNdkpS3"
    "JZ/4CEZdMOqlIHmbglGvCaN+pUESpKcDF5ppPPqYFxFEuiDSBZFeKUpVEOmHqPUsRHpezq"
    "DGfMFWeJmc7HldifOtYAsVDPW4zDTJMec+kXKsAeD3q80agAkDbE61XC3eL1OHyOgttfvI"
    "jDXL9AobaFnM3KrDaqqeLvYyvwpkBouZZoUzh6XtvR1JWLZ+O8bhAgFWJSLTf1BmsQCVcj"
    "SAgqZzpF0CCHhC/Z90MIYKJzAAtnYu1FdLvoEiO8QasG8Y3Xu7yMpHZEQejmwGoAl0xJoM"
    "kzl+4FJWC+I12gVYpbYg4Bs7khXPYoSm4B04wuwJINfbcRO8b4LTk5OT5ojwHcCfKXjW2E"
    "eg8ceABuBmnPVATCWAr/9H4Ijfglc8BX/ScZPdcUpXTAHsocdLbByDCSSEGmBMjQXgHWDS"
    "vo7fHTaDX3fexkq1E8jX49uhwZ+uR8x5xZy3pFZyNWc/Ys57iFrPFDzmdM4RnSdHhPhE6h"
    "QVUuACd6jHLW/PmAXflS4zr9Bo/d4aXF8C82dE2v3BQGoPO/3eJfCOR2QgfZMGd63uJXCO"
    "RqT19eug/42fc47CttV+IvwsAy5mipASHeXJ1OlL2HF8lJlTV35ipmnOrBBhuTrpoLDeaI"
    "qM2E1mkokhT6IcvFDNckNYWX/zTWWCUiJuIQSq2G1S7Da57yiQtbtNxvQCBaBavyTpYWCD"
    "fV+ZdvIMZPJPpjfdTP/r6U13e4H15GafIGDbPjah6FCQZiWfASTAmpkDNh3UAXRKNwFB7B"
    "CgKWcLKUFRbrPgukWUSwk6+KZg/A6I+xGM3yFqPQvjl3+eXfgMe7/BGAXPr8dQR3ISd5SI"
    "aUhKMBcxyOrcuSrrBlJj+ic0wUuoJDDUAcFw92RJntg1VBDnFBCvpXbnttU9en/aPA3tXO"
    "lwFx8isUNWM5RVNn+JB3sN/RmQFC05LpcwezqsKjh2b9C0lhwUPMSWfNE8y9yQPbTkJSZy"
    "8oqK5OzNyTWIhh23tNmOWMs/AMZICoTjBkGDv/wcT2QbsdjtGpPJ/CT5clD79Qr5tOfC49"
    "ecXHRE8A0MRjnDDoslpD28dkdLlxPXteRppGkF+FP2FKB33+3ui0B1yOsY7tTHayfTpv7x"
    "udhVeN+9xa9TNF2pZhqfaABj2oaD/ms61QyZ8yEJlwxqMAMuck1daZMFnyl6ot5OTSJiUv"
    "CnFbCHqsmkCf70ELWeKWKy5BvtxRjeXwf9tnR31+l9ydmt+iQvgXc8ItIfw0GrPeS757mH"
    "I9KTpOs7eSB960i/XwL/fyPyrdXtcPUxCfdwRDo9t7h7GN6rL+yd3E90YBkz0+1xMVfxqe"
    "k8MysHxgGh+i2Z28Y2oTtNFlpqdLeSFE2hE3cZYVaM/TL1g/k807rP85R1n+fR9c7BmVGs"
    "+ZXgsggLpllf1YM+jVFnQ24Sio6ZmbXFRgTr12w/ZWi0nxKb7Kdwg7Vm+NGGmub9cWXe7P"
    "gpGdJFezAnK01DZJJvsb1Ppn6t9yxD6z1LbL1nYYCdGExrrXEemKOS9QO7eDNNha9Lnvp3"
    "iRhWMRReSs8ckawf3mdZMo+fJSceP4vkHTfgSz63misg/GiF+9GeoUbY8+TSh19GqKRwla"
    "AX07cSO69JVkpQSuxsuzn+nv8oakGmMs0BwRoSzdUllqP+BJ8nMN88ISi4nyixbW2WXniw"
    "ozNzXVISl70+w5zXlayfZZUWm+Rg+jHRrvoYjSzVdcxeW56uVAXzACSZznIGx6TVIeJkqp"
    "nCYFudxX7yF7hR0GTKH24D9P2yQgsbZpFATxg9x3foWbKuONIl7tQbX6XeteWLtQ6cZCrc"
    "Weoc8aQrv0qWb9Y5amwwFBTvQoWqqtEnNE0MFk77UGKEa7TvyY6/FTNF4EaRK0FJseF4me"
    "cT+82rUzLFFr7BENTMZSL2B5ED3hhJAXAMwJpGNQbbNJdjMihV4rG8NK4GC7El0nU4j4F6"
    "iF6S2nFYsA5op/X/0h/DdGLP7f67/d4Xp3iY7YslVjcai8OyYjQu82j8BBW8abxwWFZous"
    "yattbXbKLnoKTQcpm1zHeMzUll+kQEcxkcB/+k45xgehICyyCWYltMsS3m9jEtYFvMcHda"
    "AKZ3PFx9emNXVsmvfy2wvmEkYTVvqGctANdfrVrqCag3lOReHe0P/I/sUBNit3NsNRTeGK"
    "cmXUQwaJdqGjKjg4rZl6nt1ldXxHa+h1VlUNpBkgJf80pOVxBsg2sTF8ihbyBb1lf2pCuo"
    "gMkCkjm6BM8L2mR/EAFH3mryY34KTxbAfElANcAbT9NM5UrZCUimgKBn8ASVVUIC2O3cZn"
    "0u2O+hjL8iz4HIc1D+rqmiK95FnoND1HoMwRUxNpLCvbPF0ySGfZdq8TvvC3tfpEtg/Y5I"
    "6/pa7gyl20vgHPFwmtv+N8k+7fvHDb5xY2+c0Bsn8CY8rO4n7GbmfJpZfaiuQJlVVxr/KT"
    "d4cpJtPhHBXYa4SyZsGotRPJPXmQSExDKTzZeZMFM9P/oBIYH+G9Cncet7kgMwnPIi7iJ/"
    "3IXYhqtO23BVpzFv7nUSW0YVu2VUuOHuzqFXzta68QZnJUkia1Laycysw3iv52Rdlr3YjL"
    "JrWE7WGWCzWsFxCo6zpN1vRdkuwXEeotazcJxupxvRecqCTU9EbFgRs27D/I3gmcw2OuVr"
    "SDZuJcHkXytIDGzE5DpLzRHhFzvMdHLZ9xFi72XIqoYncelW0kAOCh4mzNlTcew3JWLZuo"
    "7CcyJCa4OlPH2xX6YOrGLItZYpEe37lES076OJaMca5HsNTmLTKt8oFCZtABmUC6E944LV"
    "wzutDffvr7oS+DpgbfmuY7Pnri1oXgy27IHU6oabNCUzPEUkrl9OgTooJpDOgPSYvuRxAd"
    "nFhfPnLRneVlpcu864rYQrvcNtJdydH3ISPI343SNuW737VvcSWL+NTTr4wmMnrF46H/Hm"
    "lxE+DeF2E46i8vo08jqKzG+7AGSvnHoq2QmshdXfBZbKV9SmSxWS10aMn8i51EzzEU3MQv"
    "bynq36h4QXSHiBytm3VtQfILxAh6j1LF4g4bHYLkW2l91Zyo1zwduz8D7lv5TkasV+mRoi"
    "XHyg/4SunOXYmVuxJ1JDiLPswpK8CYu5B0tkGptlpT1UMd/y8Y0roVsq/g1lWVxfkTlYoK"
    "0uEd9tSV9g9Y0o3boVVbC57mW5uA+xmFlmEM/kiWZIgesXhrcAj8/8SQcaVRDABEBgTVZf"
    "PwPWywMVaeCIF2k654+jy743rSRmOvvdDaq1S1qBjWKGK2a4pe83KjrXETPcQ9R6lhku78"
    "43dS06sjt0LN5Kt1fSIK9XsXV92+nxhdvsZ0SsOi6Br669exPtkTCn9ysoJbxfZVl0Vh84"
    "U5yJu10ZVVJIN14aFetDnHiOpjei6nNZ1RTYYN8Xj+1+PIktpOHJohEzxbOvNNOmd9ArUx"
    "onYuKSh9ieMmaxg63At02tSr/SIXlGlbjTSjJBmLzJSi0Iwm2sf+AfVQ6E7eI1RHc7vhpK"
    "DERiJofJwZ8+kd3vvFzxCNAc/Hfxg9mP/wGpbKYo"
)
