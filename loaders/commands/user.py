"""`python -m loaders user add|list|passwd|disable|enable`: accounts from the command line."""
from __future__ import annotations

import getpass
import sys

from loaders.accounts.users import (
    CLI_USER,
    ROLES,
    UserError,
    create_user,
    list_users,
    set_password,
    update_user,
)
from loaders.commands.base import EXIT_OK, EXIT_REFUSED, open_db


def _read_password(args) -> str:
    if args.password is not None:
        return args.password
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        return line.rstrip("\n")
    first = getpass.getpass("Mật khẩu: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise UserError("hai lần nhập mật khẩu không khớp")
    return first


def _cmd_user_add(args) -> int:
    try:
        password = _read_password(args)
        with open_db(args) as con:
            user = create_user(con, args.username, password, args.role, args.name, args.unit, by=CLI_USER)
    except UserError as exc:
        print(f"Không tạo được tài khoản: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    unit = f", đơn vị {user.unit_code}" if user.unit_code else ""
    print(f"Đã tạo tài khoản {user.username} ({user.role_label}{unit}).")
    return EXIT_OK


def _cmd_user_list(args) -> int:
    with open_db(args, read_only=True) as con:
        users = list_users(con)
    if not users:
        print("Chưa có tài khoản nào. Tạo quản trị viên đầu tiên: "
              "python -m loaders user add TÊN --role quan_tri --name \"Họ tên\"")
        return EXIT_OK
    print(f"{'Tài khoản':<20}  {'Vai trò':<14}  {'Đơn vị':<20}  {'Trạng thái':<10}  Họ tên")
    for u in users:
        state = "hoạt động" if u.active else "đã khóa"
        print(f"{u.username:<20}  {u.role_label:<14}  {(u.unit_code or ''):<20}  {state:<10}  {u.full_name or ''}")
    return EXIT_OK


def _cmd_user_passwd(args) -> int:
    try:
        password = _read_password(args)
        with open_db(args) as con:
            set_password(con, args.username, password, by=CLI_USER)
    except UserError as exc:
        print(f"Không đổi được mật khẩu: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"Đã đổi mật khẩu của {args.username}.")
    return EXIT_OK


def _cmd_user_active(args) -> int:
    active = args.user_command == "enable"
    try:
        with open_db(args) as con:
            update_user(con, args.username, by=CLI_USER, active=active)
    except UserError as exc:
        print(f"Không thực hiện được: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"Đã {'mở khóa' if active else 'khóa'} tài khoản {args.username}.")
    return EXIT_OK


def add_commands(subparsers) -> None:
    p = subparsers.add_parser("user", help="tài khoản đăng nhập: add, list, passwd, disable, enable")
    sub = p.add_subparsers(dest="user_command", required=True, parser_class=type(p))
    a = sub.add_parser("add", help="tạo tài khoản")
    a.add_argument("username")
    a.add_argument("--role", required=True, choices=ROLES, help="lanh_dao | can_bo | quan_tri")
    a.add_argument("--password", default=None, help="mật khẩu (bỏ trống: hỏi khi chạy)")
    a.add_argument("--name", default=None, help="họ tên hiển thị")
    a.add_argument("--unit", default=None, help="mã đơn vị (bắt buộc với can_bo)")
    a.set_defaults(func=_cmd_user_add)
    sub.add_parser("list", help="danh sách tài khoản").set_defaults(func=_cmd_user_list)
    w = sub.add_parser("passwd", help="đặt lại mật khẩu")
    w.add_argument("username")
    w.add_argument("--password", default=None, help="mật khẩu mới (bỏ trống: hỏi khi chạy)")
    w.set_defaults(func=_cmd_user_passwd)
    for name, text in (("disable", "khóa tài khoản"), ("enable", "mở khóa tài khoản")):
        d = sub.add_parser(name, help=text)
        d.add_argument("username")
        d.set_defaults(func=_cmd_user_active)
