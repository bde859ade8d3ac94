from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "outbox" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "effect_kind" VARCHAR(64) NOT NULL,
    "payload" JSON NOT NULL,
    "idempotency_key" VARCHAR(255) NOT NULL UNIQUE,
    "status" VARCHAR(16) NOT NULL /* PENDING: PENDING\nDELIVERED: DELIVERED\nFAILED: FAILED */,
    "attempts" INT NOT NULL,
    "available_at" TIMESTAMP NOT NULL,
    "last_attempt_at" TIMESTAMP,
    "last_error" TEXT,
    "delivered_at" TIMESTAMP
);
CREATE INDEX IF NOT EXISTS "idx_outbox_status_7b67c3" ON "outbox" ("status", "available_at");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "outbox";"""


MODELS_STATE = (
    "eJztXdty2zjSfhWUbsau0roSO06yztRUyTaT1Yws55flzNRGWzQkQRbGFMAhKR92/rz7Aj"
    "wfQIqUKYmkcBMzJBqkvgbBxteN7r9bCzpFmnnU0fFv6KV1Bv5uEbhA7CB2pQ1aUNeD8/yE"
    "Bcea3RTqWH1AL/ZJODYtA04sdn4GNROxU1NkTgysW5gS3roDFnAyxwSBiYYRsX4yARM+A+"
    "acPhFAyQQBaII7c/yg/qwbaIaff1F/NtHEQNYvd21gWtRAU97EnMPj0/cHzqXDI373KZ2w"
    "22Nyv8kbjchwjoDzPzBn19lFMMaWCegMsPsYVH9h4hRABoFpN5kDzLqBM3ZHMmVPgXQTaJ"
    "Q+LNnfyRxBnXU6Ih2wNJHhPCZgGJpgRg1wx54WGXdHoAMmdKFD8uK2OLhz/3/HHsY6DCQs"
    "9njuJfYztZdPI+J2wh+DXSWRJp3Lq24fPM0pYL8IWuw3YwscPCDd8nsz0IQaUwfjJcF/LZ"
    "Fq0XvELhkM6e//YacxmaJnZHr/1R/UGUbaNDKm8JR3YJ9XrRfdPnd72738bLfk+hurE6ot"
    "FyRorb9Yc0r85sslnh5xGX7tHrEfxZ84NNrIUtPcgemdcp6YnbCMJfIfdRqcmKIZXGp8zL"
    "Z+ni3JhA9VYN+J//PuF/fRQs1UtX89VG+Uoaq2EkOcP0JsMLqnJpTw1wMTiwP19w+n3wAQ"
    "+2yL3+DiX53Bwcn7QxsCalr3hn3Rhqv1wxaEFnREbdADlF0tqtBKon3Jrlh4gcSIRyVjyE"
    "9d0SPvYB0NeCcCFQSzhAeuB98GAG+xHzi9Zq+Eq/sMBQy7V8rNsHP1ld9uYZp/aTZ+naHC"
    "rxzbZ19iZw8cfVE2ATozo98J+L07/Bfg/wX/vu4rca367Yb/bvFngkuLqoQ+qXAaGqbeWQ"
    "811jLQ+lKfrqn1qKTUelW07mEUUrv79IHW7b8JfV/MoSHWtdc+pmWGVh31uoDPqobIvTVn"
    "/3375k2GYr91BvaUylrFtNV3Lx07135E8HXsgiIIBxLlYLz6m7U9hN/nATj+NoTwfR+H1z"
    "GiVG4hFcE4JtbAwfz+XQ6o379LhZpfikE9obyPBMq/3lz3U1D2JeLfBDyxwP8DDZvWpoAO"
    "2WHjJdYsTMwjfr9dmGIcocjnwIP54KrzR1wDF73r8/g8zzs4j6kDPeuYXV7jcx2VLOFz7U"
    "4oVXkR6vt1ThplBnqkD2sZZVFJqeUqa1ljq3yVLd3X0XNcVmq6ypp2KRO1GJERlXoFoVEf"
    "za6kLwJMbWaqIKJhmTIJotoCyim32YOQDrKxSoL7mRoI35Pf0IsNcZc9CCQT0eLQZYJvTV"
    "RHu/qHN3a8s8F7ZMAnn6SMDCn249lPRpazDOncXHQulZZoIigB1ougp1q+/SuBjc5+Ymj5"
    "8B3DycMTNKZqZBzzK/SYxs74bZOXFseL+BlI4L2ND/8h/LFd6Hv0HpPPEGtLA7UEvo/I9X"
    "aWB0TjLdWZ0zS3H4S3R1NgC7eBTbhjh5rn3O4Ymoh7Eay5QS1LY6oAc8p+FoATg5om6Hzt"
    "AgPpGp5AU+T8KLl3SftXYJpvS9p/jwhgSfvvo9bz0P5owSb3IoypL7AprnR3rPTxaR6ulL"
    "VKJUvta9FFCdaLoOu0bh605bDQibXJbqy9AZqxF3A+pA+IiKy9yPVMa89wWjJbiDXNae1d"
    "EwSwaS6ZReaKA1v8CNg3tGNHKGtjm2s84sRAAIK7GVxg7eXuE2BWGrTtE1NHhJtpjnjC7t"
    "vQfUbkwESWCe5cquru0I5kse9kh5QAgp6tT0Bnd0TE4uYktLuwHHng8JlO0ydmaSLg3FLa"
    "ltK2lFaGtC2l1qtiWzrzcpFZNZDYLBe7TUOoHG7b/vYVDm+ISjUujKT82IYKOdOrNlHVd2"
    "ISfI/Wc7FK72pN9CujJfZBy3yPQ0F3b0hEenuzvb1LUzp7V/skQwOqSg5JG3UBNeVpI52S"
    "4j8oHxOVjqVkYSrwarclC7NH63HJwuyj1uvg4asQX7ARB58OTfOJsg92UXImIdjA3SfHp6"
    "e5ED/NQPw0jrhBtZStagpZLhJ2aXR958puD+vW7Y0yKGge2DJngP87Ivau6jNnc3XcS7eb"
    "zVbYVJlhiB8FWjinDGBIUsy1sFxMA2MmuCkVeDPOdu2z8+vrXuQbcd4dxjC+vTpXGPY29K"
    "wRdtYO3f5QxP6a6iPUMPsIzyzRyiz7Cy7uQfIb1flwO/ZagRCHYHiE02bEXkdX8vNvA6TZ"
    "7vj0lXqQoKNmn5y0tXqMEoyHWqyPVDzAo4l4/UnHr0TpVzpuKjgzrIl2wBZB58ZOCvMZa3"
    "VcLuUCSaMvULNeVJ7IBr8Wrp7TmcL6auwU5QFmLF89uly4Bl5PtfyIr5rQJ4h1/eqp3O6l"
    "qUPKBYm1Mtghv0U5eF34/TV0dC3QYowMc471VwJ25XfUpDG2Sd8FtxsErgvXnEj3XHgWy0"
    "YdF98j2/tCbDhr971lWtBa2g8xR9CwxuyqfU26O6S7o5pveE2Jb+nu2Eet53F3PDBIi7Dw"
    "Xnu55yZH5if/87YO9R5Ibw3r1v/dKrfKZVH23ZE6A87fERnc9vvd/pcz4B6MyM3txYWiXP"
    "JG/uGIfO50e/yU83dELjr9C6Vnn/IPq8Hg6wbl75xAl581Cq0Uh1VIKKbCGZfa1ET45ujN"
    "9s2Ny+vb854Cvg6Ui+5N183b5U909sUoaz9QOr3k+3JfKKmiL7DWG1KxddamZ6MFG4pCfI"
    "foOWUEh0SagHDWZ1v5Yxj5YidSzfmDuXfd/+I1j+efiyIOLQsthJRLl6QgHhaJQc6Xk5ua"
    "MTY1pO/5E/zj+O27D+8+nrx/95E1sZ/SP/MhQydJvx5/Q9YANS62PWBPagKsgR6x6fIyOU"
    "ENi8iRGgdUhy/sEy+wrNOzfoZEqpH2k9+2MWk/2SX+/AX0EUi8Sh31+QZuJt2qYVCDoTot"
    "ZNhFpZpge2x8J56N2Bo2XkKwCWhv29JjCxFjPe4sKikDjKpDlSUZ0hkm2JyvpeaYqNRzlf"
    "UccUYVVHRcVmq6ypqWKXBlCtwdxAO0C6fAzRPWuu0In2rOS9sNvgiFJQpiMKJBi+mhGH58"
    "pNxEKqMqZFRFXfzrMqpiH7WeJ6rCLmFahPDyBba40Y4a+B4T6HyLNs95le+VH2t0zDfyFA"
    "E6LNO4Dbunb49zYMxapYJsX4txW3YR3kKD2ZeQUUI5ooTwf0UbQ/F9quvNk9ie222T8Dqe"
    "t38eH5+cfDh+c/L+4+m7Dx9OP77xXXDJS1m+uPPuF+6Oi8Cf9M+xh7AQsRzsCgztuFwD96"
    "BvpJwnX+EULZkalmkgzhvZ6/+Ep5Ygq0LqVOK3X2suqRgDULYTf47w/Vxgt6eiGQhIOJNw"
    "VihZ6GqkK5LytuILH8moS0a9EiRvWzLqDWHUzw1IovR05EI7i0cf8yaSSJdEuiTSa0WpSi"
    "J9H7Weh0gvyhk0mC/YCC9TkD1vKnG+EWyhhqEpykyTHnMeEqnGHgB+v8bsAZgwwO6pUWjE"
    "h2WaEBm9oXGfWLHmWV5hCy3KWVt1WU/108VO1leRzGCCZVY8c1hW7e1EwrLV5RiHcwRYl4"
    "hM/0GZxQJ0ytEAGpreI+MMQMAT6v9kgjHUOIEBsFO50FwueAFFdogN4N4wWXu7zM5HZETu"
    "DlwGoA1MxIYMkzm841LOCOI9ug1Yp64g4IUdyZJnMUJT8AYcYPYEkOvtsA3etsHx0dFRe0"
    "R4BfAnCp4M9hIY/DGgBbgZ5zwQUwng+/8ROOC34B1PwZ903GZ3nNIlUwB76PECW4dgAgmh"
    "FhhTaw74BJhW1/G7x2bw696vcVLtRPL1hCo0hNP1yDWvXPNW1Equ5+pHrnn3Ueu5gse8yT"
    "mh8/SIkJBIk6JCStzgDk3R9vacWfB96SrzCq3O753B5Rmw/4zIxfVgoFwMu9f9MxAcj8hA"
    "+aYMbjq9M+AdjUjn69fB9Td+zjuK21a7ifBzDDjBEiEjOiqQadKbsOX4KDunrvrITNOCWS"
    "Hick3SQWmz0RRZwiIz6cRQIFENXqhhuSGcrL/FljJRKRm3EANVVpuU1SZ3HQWystqkYBYo"
    "AdXmJUmPAxud+6pUyTOSyT+d3vQz/a+mN/3yAqvJzWuCgGv7uISiR0HanXwCkABnZQ7Yct"
    "AE0GvdBgSxQ4CmnC2kBCW5zZL7llEuFZjg25Lx2yPuRzJ++6j1PIxf8XV26Svs3QZjlLy+"
    "HkMTqWncUSqmMSnJXAiQNblzVTUtpAvmJzTBC6ilMNQRwfj05EgeuT3UEOcMEC+Vi+5Vp3"
    "fw9rh9HKtc6XEX7xKxQ84wVHW2fhGDvYL+jEjKkSzKJcyeDusaFtYGzRrJUcF9HMnv2ye5"
    "B3KAlrrARE3fUZGevTm9BzmwRVub3Yi14h9AgaREWPQRtPiPv8cT1UVMWK4xncxPk68Gtd"
    "+skE93LTx+KchFJwRfwWBUM+ywXEI6wGt7tHQ1cV1JniaGVoQ/ZU8B+re93q4IVI+8FnCn"
    "IV47nTYNf5/L3YX3Pdj8OkXTpW6n8UkGMGYVHAxfM6lhqZwPSblkUYsZcIlr+tKYzPlKMR"
    "ANKjXJiEnJn9bAHqonkyb5033Ueq6IyYoX2hMY3l8H1xfKzU23/6XgtBqSPAPB8YgofwwH"
    "nYshr57nH45IX1Eub9SB8q2r/H4Gwv8bkW+dXperj0n4hyPS7fvN/cN4rb64d3I30YFVzE"
    "y3w81c5aemC8ysAhhHhJq3ZW4TZUK3miy00uhuJCmaRif+NsK8GIdlmgfzaa59n6cZ+z5P"
    "k/udoysjofmV4rKIC2ZZX/WDPotRZ5/cNBQ9MzPviE0INm/YfswxaD+mDtmP8QHrrPCTAz"
    "XL++PLvNrxUzGky/ZgTpaGgcik2Gb7kEzzRu9JjtF7kjp6T+IAezGYzl7jIjAnJZsHdvlm"
    "mg5fFjz17wIxrAQUXsbMnJBsHt4neTKPn6QnHj9J5B234HMxt5ovIP1opfvRnqBB2PMU0k"
    "dYRqqkdJWgZ9u3IlzXpCslKiUr266Pf+A/SlqQmUxzRLCBRHN9ieWkPyHkCSy2TogK7iZK"
    "bFPF0ksPdvRWrgtKRNnrc6x5fcnmWVZZsUkeph9S7aoPychS08TsZ6vTpa5hHoCk0lnB4J"
    "isPmScTD1TGGxqsthN/gI/CppM+cOtgX5YVmphzSwS6BGjJ/GEnifriidd4Um99VXpXzq+"
    "WOfAS6bCnaXeEU+68qvi+Ga9o9Yan4LyXahQ1w36iKapwcJZL4pAuEF1T7b8rtgpAteKXI"
    "lKyoLjVV5P7DavTsUUW3qBIWjY20TcF6IAvAJJCbAAYMOgBoNtWsgxGZWq8Le8Mq4GB7EF"
    "Mk14L4B6iJ7TxnFcsAloZ83/yh/DbGLPn/571/0vXvM42yckVtf6Fsdl5de4yl/jR6jhde"
    "OF47JS01XWtLO/Zh09RyWllqusZV4xtiCVGRKRzGX0O/gnHRcEM5CQWEaxlGUxZVnMzWNa"
    "QlnM+HRaAqY3PFx9+tntrJZv/0pgQ5+RlN28sZm1BFx/dXppJqDBp6Tw7uhw4H+iQk2M3S"
    "5QaiheGKchU0Q0aJcaBrKjg8qpy3Th99dUxLZew6o2KG0hSUFoeKWnK4iOwZWJC9TYO5Av"
    "6yt70iXUwGQOyT06A09z2mb/IAIOgt3kh/wUnsyB/SMBNQAfPG07lStlJyCZAoKewCPUli"
    "kJYDdzm9W5YL/HMv7KPAcyz0H1p6aa7niXeQ72UesCgithbKSFe+eLp0kN+67U5nc+F/a/"
    "KGfA+TsinctLtTtUrs6Ad8TDaa6uvynu6dB//OAbP/bGC73xAm/in9XdhN3MvFczrw/VF6"
    "iy6irjP+UGT0GyLSQiucsYd8mEbWMxiWf6PpOIkNxmsv42E2aqF0c/IiTRfwX6VLS/Jz0A"
    "w2sv4y6Kx13IMlxNKsNVn8G8vtdJlowqt2RUfOBuz6FXzdG6doGziiSRtSntdGbWY7xXc7"
    "I+y15uRtkVLCebDLDdreQ4JcdZ0em3pmyX5Dj3Uet5OE5/0k3oPGPDZiAiC1YI9m3YfxN4"
    "prONXvsGko0bSTD51xISC1uCXGeZOSLCYvuZTi5/HSH2uyxVN/BElG4lC+So4H7CnD8Vx2"
    "5TIlZt6ig9JyJ0CiwVmYvDMk1gFWOutVyJaN9mJKJ9m0xEOzYgrzU4EaZV/qxRmFYAMioX"
    "Q3vGBeuHd9YYvr497yng64CN5Zuuy577tqB9MTqyB0qnFx/SlMzwFBHRvJwBdVRMIp0D6T"
    "F9LuICcptL589rMrwtDdG4zllWwpfeYlkJv/JDQYKnJa4ecdXp33Z6Z8D521pngi89dsKZ"
    "pYsRb2EZ6dOQbjfpKKquT6Ooo8h+t0tA9tzrp5aTwEpYw1NgpXxF10uL2SpXbs4Kgbco2q"
    "Cd5S+idtMtOIqCmlHwEWJ7aMhg+G19u6SjaH9cBtJRtI9az+MoQrMZmljqAxZ9/TOyUUXF"
    "Guji2EjpC41CAczp9ENIpBq5//ltG5P7H0/RQqcWr5VTtDyfQLScd2C1hVFvJ18di4w6KW"
    "mLckHJlLaXSq/7TRlwdsg/rGZNUGhZbHyLMtmmp7ENiTQm03NpsQOR9U1B8you20ADq74G"
    "VdKO1qBpqe7bsIa2BeIyXVrl9W2nDE2qOn2LS1SqCS7pbW90mSINPyJj3XSEEVn5hlXtDU"
    "u4AXZDq17QhQ7JS0tAqHqX2llU6sRu5GZN2iibKjlTyZlW07irKXsmOdN91HoezlQGgm82"
    "8nAnRa+rjXPJVa/5nPJfSgqN4rBMAxEun++f0KWX5TL3KA5EGghxnuLW6bWt7dLWBZYF4f"
    "JcmJP0r0ww2dHxbyhPztJqrgSzE3AuEC9ib86x/kqUrvyOajhcU6Ha5BIzhJhglRnFM32h"
    "GVPg6nybHcC3vf9kAoNqCGACIHAWqy+fAJvlgY4McMCbtL3zh8lsmut2IljOfvdzFbgtnT"
    "AgucKVK9zKzxs1XevIFe4+aj3PCpdP52K7NUfBWVd2ix76K+XqXBkUnE5bncurbp/nw2R/"
    "RsTp4wyE+tq5G979EhbcVBCVkpsKqpLLqzlwZuzR2G7CqYpCunbGKeHWjEngaHolqiGXVU"
    "OBjc59Ymx340nsIANP5i3BEs+90s5a3sGgTWWciKmhYMKZUhAE5iqwuuGQpQSBpa+oUgtY"
    "pxOE6bWrG0EQbiLilL9UBRB2mzcQ3c34aiixEBEsDtOD2kMi2w9q3409VVr4+k7DYn78D1"
    "kzdhE="
)
