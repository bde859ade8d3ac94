from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


# A company's key outlives the account of the ADMIN who created it: `owner_id` becomes null.
# Written by hand: SQLite alters neither a column's nullability nor a foreign key, so the table
# is rebuilt (no table references api_keys).
async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE "api_keys_rebuilt" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "prefix" VARCHAR(16) NOT NULL UNIQUE,
    "secret_hash" VARCHAR(64) NOT NULL,
    "scopes" JSON NOT NULL,
    "expires_at" TIMESTAMP,
    "revoked_at" TIMESTAMP,
    "last_used_at" TIMESTAMP,
    "owner_id" CHAR(36) REFERENCES "users" ("id") ON DELETE SET NULL,
    "company_id" CHAR(36) REFERENCES "companies" ("id") ON DELETE CASCADE
);
INSERT INTO "api_keys_rebuilt" ("id", "created_at", "updated_at", "name", "prefix", "secret_hash", "scopes", "expires_at", "revoked_at", "last_used_at", "owner_id", "company_id")
    SELECT "id", "created_at", "updated_at", "name", "prefix", "secret_hash", "scopes", "expires_at", "revoked_at", "last_used_at", "owner_id", "company_id" FROM "api_keys";
DROP TABLE "api_keys";
ALTER TABLE "api_keys_rebuilt" RENAME TO "api_keys";"""


# Keys whose creator's account is gone have no owner to go back to: they are dropped.
async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE "api_keys_rebuilt" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "prefix" VARCHAR(16) NOT NULL UNIQUE,
    "secret_hash" VARCHAR(64) NOT NULL,
    "scopes" JSON NOT NULL,
    "expires_at" TIMESTAMP,
    "revoked_at" TIMESTAMP,
    "last_used_at" TIMESTAMP,
    "owner_id" CHAR(36) NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
    "company_id" CHAR(36) REFERENCES "companies" ("id") ON DELETE CASCADE
);
INSERT INTO "api_keys_rebuilt" ("id", "created_at", "updated_at", "name", "prefix", "secret_hash", "scopes", "expires_at", "revoked_at", "last_used_at", "owner_id", "company_id")
    SELECT "id", "created_at", "updated_at", "name", "prefix", "secret_hash", "scopes", "expires_at", "revoked_at", "last_used_at", "owner_id", "company_id" FROM "api_keys" WHERE "owner_id" IS NOT NULL;
DROP TABLE "api_keys";
ALTER TABLE "api_keys_rebuilt" RENAME TO "api_keys";"""


MODELS_STATE = (
    "eJztXWtz4jjW/isqvkxSxaa6k053b3pqqghx9zJDoF9Ceqa22XKELUATI3lsk8vO2/99Jd"
    "/vsYkBY/QlOLaObD9Hlo6ec3T0d2tJVaSZJx0d/4aeWxfg7xaBS8QOYlfaoAV1PTjPT1hw"
    "qtlFoY7le/Rsn4RT0zKgYrHzM6iZiJ1SkakYWLcwJbx0ByyhssAEAUXDiFg/mYAJXwBzQR"
    "8JoERBAJrgzpzeyz/rBprhp1/kn02kGMj65a4NTIsaSOVFzAU8PX9/5Fw6PuF3V6nCbo/J"
    "fJM3mpDxAgHnP7Bg19lFMMWWCegMsPsYVH9m4hRABoFpF1kAzKqBM3ZHorKnQLoJNErvV+"
    "xXWSCos0onpANWJjKcxwQMQxPMqAHu2NMigz0QF1UxMsEjthbAYs8AFYWuiAWO2NMzUdV5"
    "KVeA3xITVg1+QBPCKppTgo5PQAcodKlD8uze6OjO/f+OvZN1HNyY38G9xCrWnj+Fa2YXCf"
    "8zIV6RztV1bwAeFxQwYKDFngZbbXYH3fJrM5BCDfUCsBaELKYldhJa/luwu7MntoBFAVlp"
    "2oTwF+Zi/CkdzB6pcc/ljlixKdIomZu8eOhJHZjm1IMJuy1jRfBfKyRbdI5YaYO1j+//Ya"
    "cxUdETMr1/9Xt5hpGmRr4ErPIK7POy9azb525ve1ef7ZK81U1lhWqrJQlK68/WghK/+GqF"
    "1RMuw6/NEQORAxT6RvgLu5+Td8p5YnbCMlbIf1Q1OKGiGVxp/Etr/TxbEYV/YMC+E//z7h"
    "f30ULFZHkwHMs30liWW4kPkz9C7BNyTymU8I8aE4sD9fcPp94AEPtsi9+g+6/O6Ojs/bEN"
    "ATWtuWFftOFq/bAFoQUdURv0AGW30cjQSqJ9xa5YeInSEY9KxpBXXdET72AdDXgnAhUEfZ"
    "sHrgffBgBvsRdUh+wLdHWfo4Bx71q6GXeuv/LbLU3zL83GrzOW+JVT++xz7OyRoy/Kum2n"
    "P/crAb/3xv8C/F/w7+FAimvVLzf+d4s/E1xZVCb0UYZqqJl6Zz3UWMlA6ytdXVPrUUmh9b"
    "po3cMopHb36QOt278JfXcX0EjXtVc+pmWG1j7qdQmfZA2RubVg/7598yZHsd86I7tLZaVi"
    "2hq4l06daz8i+DrWTBmEA4lqMH55zNoewu+LABz/GkL4vo/D65h+MrfrymAcE2tgY37/rg"
    "DU799lQs0vxaBWKK8jgfKvN8NBBsq+RHxMwIoF/h9o2LQ2BXTIDpuusMZMXPOE328XphhH"
    "KDIceDAfXXf+iGug2x9exvt5XsFlTB3oScfs8hrDdVSyguHa7VDq8iHs7+icNMoM9EDv1z"
    "LKopJCy3XWsgZNS+aswRp6jssKTddZ0y41IpcjMqJSryA09kezL9IXAaY2E1YS0bCMwPPH"
    "D864ze5T2SAbqiS2n6mB8Jz8hp5thHvsQSBR0uaGLn19a6IiZnU9IQ3OBo9owEefoow0KP"
    "buNq1qvz17ADC47fdbaf1ABbB2g5qaiWy084tg2+3cdDtXUstuvlOo3D9CQ5Uj7Zhfoac0"
    "dsYvm7y0PF3Gz0AC5zY+/EX4Y7vQ9+kck88QaysDtVIcNpHr7Ty3jcZLyjOnaGHnDS+PVG"
    "ALu/Q+tj0BgFO7U2gi7vqwFga1LI1z9QvKXgtAxaCmCTpfe8BAuoYVaKZ5bCquXbD+Nejm"
    "24L1PyD+V7D+h6j1Iqw/WrLOvQxh6gtsiirdHSl9el6EKmWlMrlS+1p0ToL1Mug6pZsHbT"
    "UkdGJushtrb4Rm7ANcjOk9ImnWXuR6rrVnOCWZLcSKFrT2hgQBbJorZpG54sAWPwH2De2A"
    "F8rK2OYaD5MxEIDgbgaXWHu++wSYlQZt+8TUEeFmmiOesPs2dJ8JObJjSu5cpuru2A4Ose"
    "9kR7AAgp6sT0Bnd0TEDkiBdhWWIw8cOtMp+sgsTQScWwrbUtiWwsoQtqXQel1sS6dfLtOr"
    "BhJV9qy7NYSqobbtsa90dENUqnFRJNWHNtTIl163jmp/O6aU8Wg9D6twru6JfkWwxCFomS"
    "/MKOntDYls1sKoi1LX9/auzG06e2sK6Ys+yVCDqpND0kY9hZrytJFNSfEXKsZEZWMpWJga"
    "fNptwcIc0HxcsDCHqPV98PDViC/YiINPh6b5SNmAXZacSQg2cPHJ6fl5IcTPcxA/jyNuUC"
    "1jpZpEVsuEXRqd37my28O6dXsjjUqaB7bMBeB/J8Rew33hLOWOe+l2s9YKm7KzhD2phUvK"
    "AIYkw1wLy8U0MGWCm1KB1+Ns1z67HA77kTHisjeOYXx7fSkx7G3oWSHszB16g3Ea+2vKD1"
    "DDbBCeWWkzs/wRPL0GwW/UZ+B27LUSIQ5B8wjn+oh9jq7k599GSLPd8dkz9SCryF6qPDFV"
    "jzGC8UiL9YGKx3fs2QhdCK8/6fSVKP1Kp00FZ4a1tPWvZdC5sRPZfMbaPs6WCoGk0WeoWc"
    "8yT76DXwtX36lMYnUV6aH2GjBj9erW5cI18mpqZIeuIFb1q7tyu5amNikXJFbKYIf8FtXg"
    "1fXra2jrWqLlFBnmAuuvBOzar6hJbWyTrgtuN6R4LlxzIttx4VksG/VbfI8s7wuR4azc95"
    "ZpQWtlP8QCQcOasqv2NeHtEN6Oen7he8p7C2/HIWq9iLfjnkFahoT3yoslNwXyPvnD2zrM"
    "eyC9Naxb/3cr3UpXZcl3R+oCOL8TMrodDHqDLxfAPZiQm9tuV5KueCH/cEI+d3p9fsr5nZ"
    "BuZ9CV+vYp/7AeBL5uUP7Npejys0ahleGvCgnFVDjjUpvqCN+cvNm+uXE1vL3sS+DrSOr2"
    "bnpu1i6/o7MvRkn7kdTpJ7+XeamUir7AWl9IzeZZm+6NlqwppuI7Rk8ZLTgk0gSE84Zt6Y"
    "9xZMROJJrzG3N/OPjiFY9nn4siDi0LLVMplx7JQDwsEoOcTyc31WNsqknP+RP84/Ttuw/v"
    "Pp69f/eRFbGf0j/zIUcnSbce/0LWADUutj1gz/YEWAM9YNPlZQqCGhYRLTUOqA6f2RCfYl"
    "ln5/wMidQj6Se/bWOSfrJL/PlL6COQeJU69mcM3EyyVcOgBkNVLWXYRaWaYHtsfCGejdga"
    "Nl5CsAlob9vSYxMRYz3uLCop4ovqQ5UlGdIZJthcrKXmmKjQc531HHFGlVR0XFZous6a3m"
    "EC3Lr5ODayJnLLGXBriun6KXALrIrcXYRPPful7QZfhMISU2IwokGL2aEYfnykWEMqoipE"
    "VMW++NdFVMUhar1IVIW97WoZwssX2OI6O2rgOSbQGYs2z3lV75WfanTK1/GUATos07j1uu"
    "dvTwtgzEplgmxfi3Fb9sbBpRqzLyGihApECeH/pq0LxfNM15snsT232ybhdTxv/zw9PTv7"
    "cPrm7P3H83cfPpx/fOO74JKX8nxxl70v3B0XgT/pn2MPYSFiOdiVaNpxuQYuQd/IZp58hl"
    "N2w9SwTANx3shS/0esWilJFTK7Er/8Wn1JzRiAqp34C4TnixS7PRPNQEDAmYSzRrlCX0a6"
    "Jhlvaz7xEYy6YNRrQfK2BaPeEEb90oAkSk9HLrTzePQpLyKIdEGkCyJ9ryhVQaQfotaLEO"
    "llOYMG8wUb4WVKsudNJc43gi3UMDTTMtNkx5yHROqxBoDfrzFrABQG2JwapVp8WKYJkdEb"
    "aveJGWuR6RW20LKauVWP1bR/utjJ/CqSGSxlmhXPHJa39XYiYdnLuzGOFwiwKhFR/0GZxQ"
    "J0ytEAGlLnyLgAEPB8+j+ZYAo1TmAA7GxcaK6WfP9EdogN4N4wufV2lZVPyITcHbkMQBuY"
    "iDUZJnN8x6WcFsRrdAuwSl1BwPd1JCuexQip4A04wuwJINfbcRu8bYPTk5OT9oTwDcAfKX"
    "g02Edg8MeAFuBmnPNATCWAr/9H4Ijfglesgj/ptM3uqNIVUwB76OkSW8dAgYRQC0yptQC8"
    "A8za1vG7x2bw697bOKl2Ivl6Qhs0hNP1iDmvmPPW1Erez9mPmPMeotYLBY95nXNC59kRIS"
    "GRJkWFVLjAHZppy9sLJsH3pevMK7Q6v3dGVxfA/pmQ7nA0krrj3nBwAYLjCRlJ36TRTad/"
    "AbyjCel8/ToafuPnvKO4bbWbCD/HgEuZIuRERwUyTfoSthwfZefUlR+YaVoyK0Rcrkk6qK"
    "w3UpGVusdMNjEUSNSDF2pYbggn62+5qUxUSsQtxEAVm02KzSZ3HQXy4maTKb1ABag2L0l6"
    "HNho31enjTwjmfyz6U0/0//L9Ka/vcDL5OaQIODaPi6h6FGQdiWfACTAmZkDNh00AfRKtw"
    "FB7BAglbOFlKAkt1lx3SLKpQYdfFswfgfE/QjG7xC1XoTxKz/PrnyGvdtgjIrn11NoIjmL"
    "O8rENCYlmIsUZE3uXJVNC+kp/RNS8BJqGQx1RDDePTmSJ24Ne4hzDohXUrd33ekfvT1tn8"
    "Y2rvS4i3eJ2CGnGco6m7+kg/0C/RmRFC05LZcwezqsazh1a9C8lhwVPMSW/L59VrghB2jJ"
    "S0zk7BUV2dmbs2sQDTttabMbsVZ+AEyRFAinDYIWf/k5VmQXsdTtGrPJ/Cz5elD7zQr5dO"
    "fC0+eSXHRC8BUMRj3DDqslpAO8tkdL1xPXF8nTRNOK8KfsKcDgtt/fFYHqkdcp3GmI186m"
    "TcPjc7Wr8L4Hi19VpK50O41PMoAxb8PB8DWTGpbM+ZCMSxa1mAGXuKavDGXBZ4qBaLBTk4"
    "iYFPzpHthD+8mkCf70ELVeKGKy5hvtpRjeX0fDrnRz0xt8KdmthiQvQHA8IdIf41GnO+a7"
    "5/mHEzKQpKsbeSR960m/X4DwfxPyrdPvcfUxCf9wQnoDv7h/GN+rL+6d3E10YB0z0+1wMV"
    "f1qekCM6sExhGh5i2Z28Q2oVtNFlprdDeSFE2jir+MsCjGYZnmwXxeaN3nec66z/Pkeufo"
    "zCjV/MpwWcQF86yv/YM+j1FnQ24Wip6ZWbTFJgSb12w/Fmi0HzOb7Md4g3Vm+MmGmuf98W"
    "Ve7fipGdJVezCVlWEgopRbbB+SaV7rPSvQes8yW+9ZHGAvBtNZa1wG5qRk88Cu3kzT4fOS"
    "p/5dIoZVCoWX0zMnJJuH91mRzONn2YnHzxJ5xy34VM6t5gsIP1rlfrRHaBD2PKX0EZYRKq"
    "lcJejJ9q2kzmuylRKVEjvbro9/4D9KWpC5THNEsIFE8/4Sy0l/QsgTWG6eEBXcTZTYpjZL"
    "rzzY0Zu5LilJy15fYM7rSzbPssqLTfIw/ZBpV31IRpaaJmavLasrXcM8AEmms5LBMXl1iD"
    "iZ/UxhsKnOYjf5C/woaKLyh1sD/bCs0MKaWSTQA0aP6R16kawrnnSNO/XWV2lw5fhinQMv"
    "mQp3lnpHPOnKr5Ljm/WOWmsMBdW7UKGuG/QBqZnBwnkfSopwg/Y92fK3YqcIXCtyJSopNh"
    "yv83xit3l1aqbYyjcYgoa9TMT9IErAmyIpAE4B2DCowWBTSzkmo1I1Hstr42pwEFsi04Tz"
    "FKjH6CmrHccFm4B2Xv8v/THOJ/b87r8/HHzxisfZvlRida2xOC4rRuM6j8YPUMPrxgvHZY"
    "Wm66xpZ33NOnqOSgot11nLfMfYklRmSEQwl9Fx8E86LQlmICGwjGIptsUU22JuHtMKtsWM"
    "d6cVYHrDw9XVz25le/n1vwhsaBjJWM0b61krwPVXp5ZmAhoMJaVXR4cD/xM71MTY7RJbDc"
    "U3xmlIFxEN2qWGgezooGr2Zer69TUVsa3vYbU3KG0hSUGoeWWnK4i2wRcTF8ixb6BY1lf2"
    "pCuoAWUByRxdgMcFbbM/iICjYDX5MT+FlQWwXxJQA/DG07ZTuVJ2AhIVEPQIHqC2ykgAu5"
    "nbvJwL9nss46/IcyDyHNS/a9rTFe8iz8Ehaj2F4EoYG1nh3sXiaTLDvmu1+J33hYMv0gVw"
    "fiekc3Ul98bS9QXwjng4zfXwm+SeDv3jB9/4sTde6I0XeBMfVncTdjPzPs2iPlRfoM6qq4"
    "3/lBs8Jcm2kIjgLmPcJRO2jcUkntnrTCJCYpnJ+stMmKleHv2IkED/FejTtPU92QEYXnkR"
    "d1E+7kJsw9Wkbbj2pzGv73USW0ZVu2VUvOFuz6FXz9a69gZnNUkia1Pa2cysx3i/zMn6LH"
    "u1GWVfYDlZZ4DtagXHKTjOmna/e8p2CY7zELVehOP0O92EznMWbAYiYsOKlHUb9m8Cz2y2"
    "0SvfQLJxIwkm/1pBYmErJddZbo6IsNhhppMrvo8Qey9L1g2spKVbyQM5KniYMBdPxbHblI"
    "h16zoqz4kInQ2WyvTFYZkmsIox11qhRLRvcxLRvk0mop0akO81qKSmVf6sUZi1AWRULob2"
    "jAvuH955bXh4e9mXwNcRa8s3PZc9921B+2K0ZY+kTj/epCmZYRWRtH45B+qomEC6ANJT+l"
    "TGBeQWF86f12R4Wxlp7brgthK+9Ba3lfB3fihJ8LTSd4+47gxuO/0L4Py21ungK4+dcHrp"
    "csRbWEb4NITbTTiK6uvTKOsosr/tCpC99OrZy07gRVjDXWCtfEXDlcVslWs3Z0WKtyhaoJ"
    "3nL6J20S04ioI9o+ADxHbTEMHw2xq7hKPocFwGwlF0iFov4ihCsxlSLPkep43+OdmoomIN"
    "dHFsZOsLjcIUmLPph5BIPXL/89s2Jvc/VtFSpxbfK6fs9nwpotV8Ay9bGPvt5NvHTUadlL"
    "RluaBkStsrqd/7Jo04O+Qf1nNPUGhZrH2nZbLNTmMbEmlMpufKYgci85uS5lVctoEG1v4a"
    "VEk7WoOmJbtfwxraThEX6dJqr287ZWhS1dlLXKJSTXBJb3uhi4o0/ICMddMRRmTFF1a3Ly"
    "zhBtgNrdqlSx2S51YKoepdaudRqYpdyM2atFE2VXCmgjOtp3G3p+yZ4EwPUetFOFMRCL7Z"
    "yMOdbHpdb5wr3vWa9yn/paRUKw7LNBDh6vl+ha68LJeFW3Eg0kCIi2xunb23tb21dYlpQX"
    "h7LsxJ+lcmmOzo+DdUJGdpPWeC+Qk4l4hvYm8usP5KlK79ivawuWZCtckpZgixlFlmFM/s"
    "iWZMgS/n2+wAvuz9JxMYVEMAEwCBM1l9/gRYLw90ZIAjXqTtnT9OZtNct5KU6ex3P1eBW9"
    "IJAxIzXDHDrX2/sadzHTHDPUStF5nh8u483W4tsOGsK7tFD/21dH0pjUp2p63O1XVvwPNh"
    "sp8Jceq4AKG6du6Gd0fCkosKolJiUUFdcnk1B86cNRrbTThVU0jXzjiVujRDCRxNr0Q15L"
    "JqKLDRvi8d2914EjvIwMqilTLFc6+086Z3MChTGydiZihYak+ZEgTmKrC+4ZCVBIFlz6gy"
    "N7DOJgiz965uBEG4iYhT/lGVQNgt3kB0N+OrocRCJGVymB3UHhLZflD7buypysLXdxoW8+"
    "N/l3C3ZQ=="
)
