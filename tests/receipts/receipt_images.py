"""A realistic French supermarket receipt rendered with PIL, with the values printed on it.

Layout follows a typical French till ticket: store name, address, phone and SIRET; date and
time; department headings (CRÈMERIE, EPICERIE...) with their items, quantities on a second
line ("2 x 0,99 €"); TOTAL and A PAYER; the card payment; the TVA table.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFont

# Pillow finds these by name in the system font folders; load_default() is the fallback.
FONT_CANDIDATES = ("DejaVuSansMono.ttf", "DejaVuSans.ttf")
WIDTH = 640
MARGIN = 28
FONT_SIZE = 22
LINE_HEIGHT = 34


@dataclass(frozen=True)
class Item:
    name: str
    quantity: int
    unit_price: Decimal

    @property
    def total(self) -> Decimal:
        return self.quantity * self.unit_price


DEPARTMENTS: dict[str, list[Item]] = {
    "CRÈMERIE": [
        Item("YAOURT NATURE X4", 1, Decimal("1.85")),
        Item("LAIT DEMI-ECREME 1L", 2, Decimal("0.99")),
        Item("BEURRE DOUX 250G", 1, Decimal("2.49")),
    ],
    "EPICERIE": [
        Item("PATES FUSILLI 500G", 1, Decimal("0.89")),
        Item("CAFE MOULU 250G", 1, Decimal("3.15")),
    ],
    "FRUITS ET LEGUMES": [
        Item("POMMES GOLDEN 1KG", 1, Decimal("2.30")),
    ],
    "LIQUIDES": [
        Item("EAU MINERALE 6X1.5L", 1, Decimal("2.40")),
        Item("JUS D'ORANGE 1L", 2, Decimal("1.75")),
    ],
}
# Reduced rate for food, standard rate for the rest (none here): one TVA line.
TVA_RATE = Decimal("5.5")


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in FONT_CANDIDATES:
        try:
            return ImageFont.truetype(candidate, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def euros(value: Decimal) -> str:
    """French money: comma decimals, euro sign after the amount."""
    return f"{value:.2f}".replace(".", ",") + " €"


def _expected() -> dict:
    items = [
        {
            "name": item.name,
            "quantity": Decimal(item.quantity),
            "unit_price": item.unit_price,
            "total": item.total,
            "category": department,
        }
        for department, goods in DEPARTMENTS.items()
        for item in goods
    ]
    total = sum((i["total"] for i in items), Decimal(0))
    base = (total / (1 + TVA_RATE / 100)).quantize(Decimal("0.01"))
    return {
        "merchant": "CARREFOUR MARKET",
        "address": "12 RUE DE LA REPUBLIQUE 69002 LYON",
        "date": date(2025, 3, 18),
        "time": time(14, 32),
        "total": total,
        "currency": "EUR",
        "payment_method": "CARD",
        "receipt_number": "004512",
        "items": items,
        "taxes": [{"rate": TVA_RATE, "base": base, "amount": total - base}],
    }


def render_french_receipt() -> tuple[bytes, dict]:
    """Render the receipt; returns (PNG bytes, the values printed on it)."""
    expected = _expected()
    lines: list[tuple[str, str, str]] = []  # (left text, right text, alignment of left)

    def centre(text: str) -> None:
        lines.append((text, "", "centre"))

    def row(left: str, right: str = "") -> None:
        lines.append((left, right, "left"))

    def blank() -> None:
        lines.append(("", "", "left"))

    centre("CARREFOUR MARKET")
    centre("12 RUE DE LA REPUBLIQUE")
    centre("69002 LYON")
    centre("TEL : 04 78 42 10 10")
    centre("SIRET 552 081 317 00012")
    blank()
    row("18/03/2025 14:32", "TICKET N° 004512")
    row("CAISSE 03", "CAISSIER 115")
    blank()
    for department, goods in DEPARTMENTS.items():
        centre(department)
        for item in goods:
            if item.quantity == 1:
                row(item.name, euros(item.total))
            else:
                row(item.name)
                row(f"   {item.quantity} x {euros(item.unit_price)}", euros(item.total))
    blank()
    total = expected["total"]
    tax = expected["taxes"][0]
    row(f"{sum(i['quantity'] for i in expected['items'])} ARTICLES")
    row("TOTAL", euros(total))
    row("A PAYER", euros(total))
    row("CB", euros(total))
    blank()
    row("TAUX      HT       TVA      TTC")
    row(
        f"{tax['rate']:.2f}%".replace(".", ",")
        + f"  {tax['base']:.2f}".replace(".", ",")
        + f"  {tax['amount']:.2f}".replace(".", ",")
        + f"  {total:.2f}".replace(".", ",")
    )
    blank()
    centre("MERCI DE VOTRE VISITE")
    centre("A BIENTOT")

    font = _font(FONT_SIZE)
    title = _font(FONT_SIZE + 8)
    height = MARGIN * 2 + LINE_HEIGHT * (len(lines) + 1)
    image = Image.new("L", (WIDTH, height), color=250)
    draw = ImageDraw.Draw(image)
    y = MARGIN
    for index, (left, right, align) in enumerate(lines):
        face = title if index == 0 else font
        if align == "centre" and left:
            width = draw.textlength(left, font=face)
            draw.text(((WIDTH - width) / 2, y), left, fill=20, font=face)
        elif left:
            draw.text((MARGIN, y), left, fill=20, font=face)
        if right:
            width = draw.textlength(right, font=font)
            draw.text((WIDTH - MARGIN - width, y), right, fill=20, font=font)
        y += LINE_HEIGHT + (8 if index == 0 else 0)

    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue(), expected
