"""Our merchant_uids and customer_uids: key-issuance windows name their card, backups too."""

import pytest

from domain.errors import InvalidValue
from domain.identifiers import issue_merchant_uid_for, parse_issue_merchant_uid


@pytest.mark.parametrize("backup", [None, "kcp_billing"])
def test_a_key_issuance_window_names_its_card(backup: str | None) -> None:
    uid = issue_merchant_uid_for(377104376735408, backup)
    assert parse_issue_merchant_uid(uid) == 377104376735408


def test_a_backup_window_has_its_own_merchant_uid() -> None:
    assert issue_merchant_uid_for(7, "kcp_billing") != issue_merchant_uid_for(7)


@pytest.mark.parametrize("uid", ["dp7a1", "dpk", "dpk7b", "dpk7bKCP", "xdpk7"])
def test_other_merchant_uids_name_no_card(uid: str) -> None:
    assert parse_issue_merchant_uid(uid) is None


def test_a_backup_window_uid_never_exceeds_iamports_40_characters() -> None:
    with pytest.raises(InvalidValue):
        issue_merchant_uid_for(377104376735408, "a" * 30)
