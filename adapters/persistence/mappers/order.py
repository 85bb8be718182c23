"""payment_order row <-> Order (with its monthly Subscription)."""

from collections.abc import Mapping
from typing import Any

from domain.money import Amount
from domain.order import Buyer, Order
from domain.status import OrderStatus, OrderType, PayMethod
from domain.subscription import Subscription


def order_to_row(order: Order) -> dict[str, Any]:
    sub = order.subscription
    return {
        "seq": order.id,
        "type_code": int(order.type),
        "user_seq": order.user_seq,
        "content_type_code": order.content_type_code,
        "content_seq": order.content_seq,
        "payment_card_seq": order.payment_card_id or 0,
        "price": order.amount.total,
        "tax_free": order.amount.tax_free,
        "order_status": int(order.status),
        "name": order.name,
        "pay_method": order.pay_method.value if order.pay_method else None,
        "buyer_name": order.buyer.name,
        "buyer_tel": order.buyer.tel,
        "buyer_email": order.buyer.email,
        "attempts": order.attempts,
        "routine_card_seq": sub.card_id if sub else None,
        "billing_day": sub.billing_day if sub else None,
        "charge_hour": sub.charge_hour if sub else None,
        "cycle": sub.cycle if sub else None,
        "attempt": sub.attempt if sub else None,
        "cycle_paid": sub.cycle_paid if sub else None,
        "next_charge_at": sub.next_charge_at if sub else None,
        "cycle_due_on": sub.cycle_due_on if sub else None,
        "next_amount": sub.next_amount.total if sub and sub.next_amount else None,
        "next_tax_free": sub.next_amount.tax_free if sub and sub.next_amount else None,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "version": order.version,
    }


def order_from_row(row: Mapping[str, Any]) -> Order:
    subscription = None
    if row["billing_day"] is not None:
        next_amount = None
        if row["next_amount"] is not None:
            next_amount = Amount(row["next_amount"], row["next_tax_free"] or 0)
        subscription = Subscription(
            billing_day=row["billing_day"],
            card_id=row["routine_card_seq"],
            charge_hour=row["charge_hour"],
            cycle=row["cycle"],
            attempt=row["attempt"],
            cycle_paid=bool(row["cycle_paid"]),
            next_charge_at=row["next_charge_at"],
            cycle_due_on=row["cycle_due_on"],
            next_amount=next_amount,
        )
    return Order(
        id=row["seq"],
        user_seq=row["user_seq"],
        type=OrderType(row["type_code"]),
        content_type_code=row["content_type_code"],
        content_seq=row["content_seq"],
        name=row["name"] or "",
        amount=Amount(row["price"], row["tax_free"]),
        created_at=row["created_at"],
        pay_method=PayMethod(row["pay_method"]) if row["pay_method"] else None,
        buyer=Buyer(name=row["buyer_name"], tel=row["buyer_tel"], email=row["buyer_email"]),
        status=OrderStatus(row["order_status"]),
        payment_card_id=row["payment_card_seq"] or None,
        attempts=row["attempts"],
        subscription=subscription,
        updated_at=row["updated_at"],
        version=row["version"],
    )
