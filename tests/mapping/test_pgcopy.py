"""Binary COPY rows: the byte layout by hand, and PostgreSQL reading them back."""

import datetime

import pyarrow as pa
import pytest
from django.db import connection

from samverkan.mapping.importers import pgcopy


def test_one_row_has_the_layout_of_the_manual():
    data = pgcopy.rows([
        pa.array([7], pa.int64()),
        pa.array([None], pa.int64()),
        pa.array(["Å1"]),
        pa.array([946_684_801], pa.timestamp("s")),  # one second into 2000
        pa.array([1.5]),
    ])  # fmt: skip
    assert data == (
        b"\x00\x05"  # five fields
        + b"\x00\x00\x00\x08" + (7).to_bytes(8, "big")
        + b"\xff\xff\xff\xff"  # NULL: length -1, no bytes
        + b"\x00\x00\x00\x03" + "Å1".encode()
        + b"\x00\x00\x00\x08" + (1_000_000).to_bytes(8, "big")  # microseconds since 2000
        + b"\x00\x00\x00\x08" + bytes.fromhex("3ff8000000000000")
    )  # fmt: skip


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL reads binary COPY")
def test_postgresql_reads_back_what_was_written(db):
    columns = [
        pa.array([1, 2], pa.int64()),
        pa.array(["Stortorget", ""]),
        pa.array([1_741_811_400, None], pa.timestamp("s")),
        pa.array([None, 6_580_821.25]),
    ]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copied (n bigint, place text, at timestamptz, y float8)")
        with cursor.cursor.copy("COPY copied FROM STDIN WITH (FORMAT binary)") as copy:
            copy.write(pgcopy.SIGNATURE + pgcopy.rows(columns) + pgcopy.TRAILER)
        cursor.execute("SELECT n, place, at, y FROM copied ORDER BY n")
        got = cursor.fetchall()
    utc = datetime.UTC
    assert got == [
        (1, "Stortorget", datetime.datetime(2025, 3, 12, 20, 30, tzinfo=utc), None),
        (2, "", None, 6_580_821.25),
    ]
