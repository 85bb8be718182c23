"""The usual integration, as iamport's tutorials and most shops write it: synchronous Flask,
the official `iamport-rest-client` (it asks for a token before every call), PyMySQL with one
connection per worker process (what a Flask-SQLAlchemy pool holds for a sync worker; a
connection per request would cost ~50 ms of CPU each: PyMySQL 1.2 loads the system's CA
certificates for every connection), run by gunicorn's sync workers. The benchmark's peer: it
does the same verification as dolgo-pay's completion (find the payment by imp_uid at iamport,
compare the amount, update the row), nothing more.

    PEER_DSN=root@127.0.0.1:3306/db IAMPORT_URL=http://127.0.0.1:8090/ \
        gunicorn -w 5 -b 127.0.0.1:8100 --chdir bench/peer app:app
"""

import os
import uuid

import pymysql
from flask import Flask, jsonify, request
from iamport import Iamport

app = Flask(__name__)
iamport = Iamport(
    imp_key=os.environ.get("IAMPORT_KEY", "sandbox_key"),
    imp_secret=os.environ.get("IAMPORT_SECRET", "sandbox_secret"),
    imp_url=os.environ["IAMPORT_URL"],
)


_connection: pymysql.connections.Connection | None = None  # this worker's


def db() -> pymysql.connections.Connection:
    global _connection
    if _connection is None or not _connection.open:
        user, rest = os.environ["PEER_DSN"].split("@", 1)
        hostport, database = rest.split("/", 1)
        host, port = hostport.split(":")
        _connection = pymysql.connect(
            host=host, port=int(port), user=user, database=database, charset="utf8mb4"
        )
    return _connection


@app.teardown_request
def end_transaction(exc: BaseException | None) -> None:
    if exc is not None and _connection is not None and _connection.open:
        _connection.rollback()


@app.post("/orders")
def create_order():
    body = request.get_json()
    merchant_uid = f"peer_{uuid.uuid4().hex[:20]}"
    amount = int(body["amount"])
    conn = db()
    with conn.cursor() as cursor:
        cursor.execute(
            "INSERT INTO peer_payment (merchant_uid, user_id, name, amount) VALUES (%s, %s, %s, %s)",
            (merchant_uid, int(body["user_id"]), body["name"], amount),
        )
    conn.commit()
    iamport.prepare(merchant_uid=merchant_uid, amount=amount)
    return jsonify(merchant_uid=merchant_uid, amount=amount), 201


@app.post("/payments/complete")
def complete():
    body = request.get_json()
    try:
        payment = iamport.find(imp_uid=body["imp_uid"])
    except (Iamport.ResponseError, Iamport.HttpError) as exc:
        return jsonify(error=str(getattr(exc, "message", exc))), 422
    conn = db()
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT id, amount, status FROM peer_payment WHERE merchant_uid = %s FOR UPDATE",
            (payment["merchant_uid"],),
        )
        row = cursor.fetchone()
        if row is None:
            conn.rollback()
            return jsonify(error="unknown order"), 404
        order_id, amount, status = row
        if payment["status"] != "paid" or payment["amount"] != amount:
            conn.rollback()
            return jsonify(paid=False, error="amount or status differs"), 200
        if status != "paid":
            cursor.execute(
                "UPDATE peer_payment SET status = 'paid', imp_uid = %s, paid_at = NOW() WHERE id = %s",
                (payment["imp_uid"], order_id),
            )
    conn.commit()
    return jsonify(paid=True, merchant_uid=payment["merchant_uid"]), 200
