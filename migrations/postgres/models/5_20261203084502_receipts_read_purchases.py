"""Data: receipts read before `extraction.purchases` existed get it, from their items as read
(source EXTRACTED, with the categories their brands gave them), so the points cap of
`server.receipts.loyalty` ("what it earns as read") keeps counting those categories. Receipts
typed in (no extraction) have nothing read and are left alone. Models unchanged."""

import json
from decimal import Decimal, InvalidOperation

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

RECEIPTS = 'SELECT "id", "extraction" FROM "receipts" WHERE "extraction" IS NOT NULL'
ITEMS = (
    'SELECT "receipt_id", "category", "quantity" FROM "receipt_items" '
    "WHERE \"source\" = 'EXTRACTED' ORDER BY \"receipt_id\", \"position\", \"id\""
)
UPDATE = 'UPDATE "receipts" SET "extraction" = $1::jsonb WHERE "id" = $2'


def _quantity(value: object) -> str | None:
    try:
        number = Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None
    return str(number) if number is not None and number.is_finite() else None


async def upgrade(db: BaseDBAsyncClient) -> str:
    pending = {}
    for row in await db.execute_query_dict(RECEIPTS):
        extraction = row["extraction"]
        if isinstance(extraction, str | bytes):
            extraction = json.loads(extraction)
        if isinstance(extraction, dict) and "purchases" not in extraction:
            pending[str(row["id"])] = (row["id"], extraction)
    if not pending:
        return "SELECT 1"
    purchases: dict[str, list[dict[str, object]]] = {key: [] for key in pending}
    for item in await db.execute_query_dict(ITEMS):
        key = str(item["receipt_id"])
        if key in purchases:
            purchases[key].append(
                {"category": item["category"], "quantity": _quantity(item["quantity"])}
            )
    for key, (receipt_id, extraction) in pending.items():
        extraction["purchases"] = purchases[key]
        await db.execute_query(UPDATE, [json.dumps(extraction), receipt_id])
    return "SELECT 1"


async def downgrade(db: BaseDBAsyncClient) -> str:
    return "SELECT 1"  # the extra key is harmless to earlier code


MODELS_STATE = (
    "eJztXW1z4rYW/isavjQ7QzO7edu9tNMZkjhbtgRyCdl2utxxBBbgxkiubfJye/e/X0l+f8"
    "UmhhijL8GxdWT7ObJ09Jyjo38aC6IgzTxs6+pv6KXRAv80MFwgehC50gQNqOv+eXbCgmON"
    "F4W6Kj+gF34Sjk3LgBOLnp9CzUT0lILMiaHqlkowK90GCziZqxiBiaYibP1gAircAuacPG"
    "FA8AQBaIJ7c/wg/6wbaKo+/yL/bKKJgaxf7pvAtIiBFFbEnMOj07MD+9K7Q3Z3hUzo7VU8"
    "2+SNRng4R8D+D8zpdXoRjFXLBGQK6H0Mor9QcQIghcDkReZApdXAKb0jVuhTIN0EGiEPS/"
    "o7mSOo86dfYvXvJZItMkPWHBn0Hb79h55WsYKeken+qz/IUxVpSkhbqsIq4Odl60Xn5+7u"
    "OpdXvCRDZixPiLZcYL+0/mLNCfaKL5eqcshk2LUZwsiAFlICesRLTXNU7p6yn5iesIwl8h"
    "5V8U8oaAqXGmsNjZ+nSzxhjQDwO7E/J784jxYoJsu9/lC+lYay3Ig1HvYIETU7pyYEs4an"
    "YosB9c93u14fEH62wW5w8Wt7cHB89o5DQExrZvCLHK7Gdy4ILWiLctB9lKnGGSYytOJoX9"
    "IrlrpAyYiHJSPIK47ooXuwjgbcE74K/O/PBdeFbwOAN+gLKn2svTi6z1DAsHMt3Q7b1zfs"
    "dgvT/Fvj+LWHErtyxM++RM4e2PoitGux+xyvEvB7Z/grYP+CP/s9KapVr9zwzwZ7Jri0iI"
    "zJkwyVQDN1z7qo0ZK+1pe6sqbWw5JC61XRuotRQO3O0/ta578xfV/MoZGsa7d8RMsUrV3U"
    "6wI+yxrCM2tO//3w/n2GYr+2B7xLpaUi2uo5l47sa99D+NojbhGEfYlyMF49Zm0P4bM8AE"
    "e/hgC+Z1F4bfNEZrZHEYwjYjVszGcnOaA+O0mFml2KQD0hrI4Yyl9u+70UlD2J6JigTizw"
    "P6CpprUpoAN22HipapaKzUN2v7cwxRhCoeHAhfnguv1HVAMX3f55tJ9nFZxH1IGedZVeXm"
    "O4DkuWMFw7HUpVPoTdHZ3jRpmBHsnDWkZZWFJoucpa1uj8WV6aa+k5Kis0XWVNkyeKvFyM"
    "xgjKlElmVFetK7gLRg9NHxKpC45VHNwrYiB1hn9DLxziDn0QiCdJExmHD7wz0S7agN/dtu"
    "Oe9b9mAz55hFqoSdGXp6+MLNtkbt9etC+lBsd4DCcPT9BQ5BDY7Ao5IpEzXtn4pcXRInoG"
    "Yjjj6LDXYA/twN4lMxVfQVVbGqiRQNOGrjezyFqNlZSndtHclC0rjxTAhZvgAekWUDGw5g"
    "gwsmwMTcQIT2tuEMvSqCLAnNDXAnBiENME7ZsOMJCuqRNoJvG0JdcueNQK9EVNwaPuEaMm"
    "eNR91HoeHhUtaOdehILyBDZFPr0dzXd0mod8oqVS2Sd+Lcx3qHoRdO3S9YO2HFovZkC/jb"
    "U3QFP6Ac6H5AHhJGsvdD3T2jPsktQWokVzWnt9jIBqmktqkTnigIsfAn5D7uYmtAw315hz"
    "3EAAgvspXKjay/1PgFppkNsnpo4wM9Ns8Zjdt6H7jPCBiSwT3Dtz//t33OnO72RyoxKjZ+"
    "snoNM7ImwxcxLyKixbHtgEkV30iVqaCNi3FLalsC2FlSFsS6H1qtiWdr9cpFf1JTZLGG7T"
    "EHpNP+pjyce+wv7isFTt/PLlO4sr5J2sWke1ux1Twni0ns9KuKt2RL/C/bwPWqafY1GfZE"
    "BEuCSzXZJLU3gkV3skAw2qSg5JjnoCNeVqI52SYi+Uj4lKx1KwMBX4tJuChdmj+bhgYfZR"
    "67vg4asQX7ARB58OTfOJ0AG7KDkTE6xhOP/R6WkuxE8zED+NIm4QLWXtj4SXi5hdGp7fOb"
    "Lbw7pxdysNCpoHXKYF2N8Rbl9ed3otwH+iXrq3Wb2imjI1DNXHBC2cEwowxCnmWlAuooEx"
    "FdyUCtweZ7v22Xm/3w2NEeedYQTju+tziWLPoaeFVHvu0OkNk9hfU36EmkoH4amVNDPLHs"
    "GTaxD8RnUGbtteKxDi4DeP4Ar/yOfoSF79NkAad8enz9T9XAI7NuSkzdUjlGA01GJ9pKIB"
    "HnXE6y8yfiVKX8i4ruBMVS1pSWERdG55/oorVdvF6VIukDTyAjXrRWY5N9TXwtW1K5NoXb"
    "XtolzAjOWrW5cD18CtaScH8VUd+gTRql/dlfNa6tqkHJBoKYMesluUg9eFV1+NWtcmCXk2"
    "GCbw8c4YmU7Hu8PwRtn4b6GFVQGKl5b7RufG0Fryh5gjaFhjepVfExy+4PCr2TXuKJsrOP"
    "x91HoeDv+BQlqEWnbLi4UkOfLDeMPbOnyyL701rBv/vpPupMuilLIt1QL27wgP7nq9Tu9z"
    "CzgHI3x7d3EhSZeskHc4wlftTpedsn9H+KLdu5C6/JR3WA1aWjcI++YSdHmlEWileGECQh"
    "EVTpnUpjrC94fvt29uXPbvzrsSuBlIF53bjpPdx+vo+MUwFT2Q2t349zIrlHrNE1jrC6nY"
    "5GHTvdGCNsVEfIfoOaUFB0TqgHDWsC39MQyN2LGEVF5j7vZ7n93i0SxVYcShZaFFIo/QwS"
    "mIB0UikLPp5KZ6jE016Rl7gh+PPpx8PPl0fHbyiRbhT+md+Zihk7izin0ha4AaFdsesMc7"
    "AqyBHlXToVxyghoUES01CqgOX+gQn2BZp+cGDIhUIzkgu21tkgPSS+z5C+jDl3iVOnZnDN"
    "xMUkbDIAZFVSlk2IWl6mB7bHx5GUdsDRsvJlgHtLdt6dGJiLEedxaWFFEz1aHK4gzpVMWq"
    "OV9LzRFRoecq6znkjCqo6Kis0HSVNS2Sj4rko28QD9AsMfno24WtVLNf2m7wRSDWLiEGIx"
    "yJlx6K4QX9iZWRIqpCRFXsin9dRFXso9bzRFWMNTJm6yaKcF5Bmdqtjzz9cJSD8aKlUikv"
    "fi3CuvDtGYtg7EuI+JUc8Svqf5PW4amzVKeQK7E9h9Am4bV9Qv86Ojo+/nj0/vjs0+nJx4"
    "+nn957zqH4pSwv0XnnM3MUheCPe47oQ1gIWzZ2BZp2VK6GS343sh0ds72LbvkXlKkhzhtZ"
    "Wv2kKlbCIvbUrsQrv1ZfUrG5adnu5TlSZ/MEizIVTV9AwBmHU9CAggYUNKCgAdemAc8NiM"
    "OcWuhCM4v8G7Migv0T7J9g/3aKBxLs3z5qPQ/7J3aQ3+yUvSCxWldOdSPYQk2FZrFNzQMi"
    "1QhcrtWu5hMK2IwYhVp8UKYO4ZwbavdrZcRSLbQoZ27VoTXtni7eZH4VytGTMM2K5vDJ2g"
    "U3ljpo9cZowzkCtEqElR8JtViAThgaQEPKDBktAAFLbf2DCcZQYwQGUO09xMzlgm1lRg9V"
    "Azg3jO+CW2blIzzC9wcOA9AEJqJNhsq8u2dSdgtiNToFaKWOIGBbrOHlYowMpID34EClTw"
    "CZ3t41wYcmODo8PGyOMNuL94mAJ4N+BAZ7DGgBZsbZD0RVAtiiZQQO2C1YxQr4i4yb9I4K"
    "WVIF0IceL1TrHZhAjIkFxsSaA9YBpu2w9s1lM9h1923s/CChJCOBXOnBHCNizivmvBW1kn"
    "dz9iPmvPuo9TxzXq9zjuk8PVggIFKngIESV+VCM2lNbs581J50lXmFRvv39uCyBfjPCF/0"
    "BwPpYtjp91rAPx7hgfRVGty2uy3gHo1w++Zm0P/KzrlHUdsq12yi/GQh3IBLmCJkBM74Mn"
    "X6ErYcOsOzW8qP1DQtuJQ9KlcnHZTWGynIStzuIZ0Y8iWqwQvVbEG7nX+z2FQmLCXiFiKg"
    "in3fxL5vbx0FsnLft4ReoARU65euOApsuO+r0p56oZza6fSml3N7Nb3pJfpeTW72MQKO7e"
    "MQii4FySv5CUAM7Jk5oNNBE0C3dBNgRA8BUhhbSDCKc5sl1y2iXCrQwTcF47dH3I9g/PZR"
    "63kYv+Lz7NJn2G8bjFHy/HoMTSSncUepmEakBHORgKzJnKuyaSE9oX9CE3UBtRSGOiQY7Z"
    "5syUOnhh3EOQPES+mic93uHnw4ah5F9pBzuYuTWOyQ3Qxlnc5fksFeQX+GJEVLTkqASp9O"
    "1TU1cZe+rJYcFtzHlnzWPM7dkH205IWK5fQVFekpZ9NrEA07adWrE7FWfABMkBQIJw2CFn"
    "v5mTqRHcQSN05LJ/PT5KtB7dcr5NOZC49fCnLRMcFXMBjVDDssl5D28doeLV1NXFeSp7Gm"
    "FeJP6VOA3l23+1YEqkteJ3CnAV47nTYNjs/lrsL75i9+VZCy1HmGl3gAY9YuacFrJjEsmf"
    "EhKZcsYlEDLnZNXxqTOZsp+qL+9jIiYlLwpztgD+0mkyb4033Ueq6IyYrvDpZgeN8M+hfS"
    "7W2n97lgtxqQbAH/eISlP4aD9sWQbfnlHY5wT5Iub+WB9LUj/d4Cwf9G+Gu722HqoxLe4Q"
    "h3el5x7zC6wVjUO/k20YFVTFr2hou5ys9a5ptZBTAOCdVvydwm9jak86NCrdgVqB+6G8mX"
    "pZGJt4wwL8ZBmfrBfJpr3edpxrrP0/h65/DMKNH8SnFZRAWzrK/dgz6LUadDbhqKrpmZt8"
    "XGBOvXbD/laLSfUpvsp2iDtWf48Yaa5f3xZF7t+KkY0mV7MCdLw0B4UmyxfUCmfq33OEfr"
    "PU5tvcdRgN0YTHutcRGY45L1A7t8M02HLwuWFXaBKFaFNvqOS9YP7+M8SamP03NSH8dSUl"
    "vwuZhbzRMQfrTS/WhP0MD0eQrpIygjVFK6StAz960kzmvSlRKWEttxro+/7z+KW5CZTHNI"
    "sIZE8+4Sy3F/QsATWGyeEBZ8myixTe3wXHqwoztzXRCclNg8x5zXk6yfZZUVm+Ri+jHVrv"
    "oYjyw1TZW+tqwsdU1lAUgymRYMjsmqQ8TJ7GYKgw1vB7/l/AVeFDRW2MOtgX5QVmhhzSwS"
    "6FFFT8kdep6sK650hTv1xo3Uu7R9sfaBm0yFOUvdI5Z05Ytk+2bdo8YaQ0H5LlSo6wZ5RE"
    "pqsHDWh5IgXKMtMbb8rfAUgWtFroQlxS7JVZ5PvG1enYoptuy4fAQNvkzE+SAKwJsgKQBO"
    "ANgwiEFhUwo5JsNSFR7LK+NqsBFbINOEswSoh+g5rR1HBeuAdlb/L/0xzCb2vO6/2+99do"
    "tH2b5EYnWtsTgqK0bjKo/Gj1BT140XjsoKTVdZ0/b6mnX0HJYUWq6yltlmogWpzICIYC7D"
    "4+BfZFwQTF9CYCm2xdzm8lOxLWaupaert8WMdqclYHrLwtWVK6eynfz6VwIbGEZSVvNGet"
    "YScP1i11JPQP2hpPDq6GDgf2yHmgi7XWCroejGODXpIsJBu8QwEI8OKmdfpguvvroitvU9"
    "rHYGpS0kKQg0r/R0BeE2uDJxgRz5BvJlfaVPuoQamMwhnqEWeJqTJv2DMDjwV5O/Y6fUyR"
    "zwlwTEAKzxNHkqV0JPQKwAjJ7AI9SWKQlgN3Ob1blgv0Uy/oo8ByLPQfW7ph1d8S7yHOyj"
    "1hMIrpixkRbunS+eJjXsu1KL31lf2PsstYD9O8Lty0u5M5SuW8A9YuE01/2vknM68I8XfO"
    "PF3rihN27gTXRYfZuwm6n7aeb1oXoCVVZdZfynzOApSLYFRAR3GeEuqTA3FuN4pq8zCQmJ"
    "ZSbrLzOhpnpx9ENCAv1XoE+S1vekB2C45UXcRfG4C7ENV5224dqdxry+10lsGVXullHRhr"
    "s9h141W+vaG5xVJIksp7TTmVmX8V7NyXose7kZZVewnLQzUHm1guMUHGdFu98dZbsEx7mP"
    "Ws/DcXqdbkznGQs2fRGxYUXCug3+G8MznW10y9eQbNxIgsm/lxBbqpWQ6ywzR0RQbD/Tye"
    "XfR4i+lyXrhjpJSreSBXJYcD9hzp+K421TIlat6yg9JyK0N1gq0hcHZerAKkZca7kS0X7I"
    "SET7IZ6IdmxAttfgJDGt8pVGYNoGkGG5CNpTJrh7eGe14f7deVcCNwPalm87Dnvu2YL8Yr"
    "hlD6R2N9qkCZ6qCsJJ/XIG1GExgXQOpMfkuYgLyCkunD+vyfC2NJLadc5tJTzpLW4r4e38"
    "UJDgaSTvHnHd7t21uy1g/zbW6eBLj52we+lixFtQRvg0hNtNOIqq69Mo6iji33YJyJ679e"
    "xkJ7AS1mAXWClfURvRyfm8keAmcq40szxE0C+zSddQIQdQKlGZ2FkmUJSO/l7n+Kk8P5nu"
    "70nNj5Q+TU5PjSRYyxTWkn1UBRB2itcQ3Y2QEPSOFsIJQ376lC0gsv186Ts+b4sZX9sczL"
    "7/Hzye+74="
)
