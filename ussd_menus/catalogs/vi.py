"""Unaccented Vietnamese (the default: GSM 7-bit, so 182 characters a screen)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "nav.back": "Quay lai",
    "nav.home": "Menu chinh",
    "nav.more": "Xem them",
    "invalid": "Lua chon khong hop le",
    "error.system": "He thong dang ban. Vui long thu lai sau it phut.",
    "unknown_phone": (
        "So dien thoai nay chua dang ky nhan tro cap. De dang ky, mang CCCD den UBND "
        "xa/phuong hoac goi {hotline}."
    ),
    "resume.title": "Phien truoc bi ngat giua chung.",
    "resume.continue": "Tiep tuc",
    "resume.restart": "Bat dau lai",
    "pick.title": "Chon nguoi huong:",
    "main.entitlement": "Tien duoc huong",
    "main.confirm": "Xac nhan da nhan tien",
    "main.history": "Lich su chi tra",
    "main.problem": "Bao loi, khieu nai",
    "main.wallet": "Vi nhan tien",
    "main.language": "Ngon ngu/Language",
    "programme.TGXH_HANG_THANG": "Tro cap xa hoi hang thang",
    "programme.MAI_TANG": "Ho tro mai tang",
    "programme.KHAN_CAP": "Ho tro khan cap",
    "ent.none": "Chua co thong tin tro cap. Goi {hotline}.",
    "ent.amount": "Muc huong: {amount}/thang",
    "ent.period": "Ky {period}: {status}",
    "ent.no_cycle": "Chua co ky chi moi",
    "ent.date": "Ngay chi: {date}",
    "status.pending": "Cho chi",
    "status.held": "Tam giu, vi chua xac minh",
    "status.sending": "Dang chuyen",
    "status.accepted": "Dang chuyen",
    "status.unknown": "Dang kiem tra",
    "status.succeeded": "Da chuyen vao vi",
    "status.failed": "Chuyen loi, dang xu ly",
    "status.confirmed": "Da nhan",
    "confirm.latest": "Ky {period}: {amount}, chuyen ngay {date}.",
    "confirm.question": "Ban da nhan du tien chua?",
    "confirm.yes": "Da nhan du",
    "confirm.no": "Chua nhan / sai tien",
    "confirm.none": "Chua co khoan chi nao da chuyen de xac nhan.",
    "confirm.done": "Cam on ban. Da ghi nhan ban da nhan tien.",
    "confirm.already": "Khoan chi nay da duoc xac nhan truoc do. Cam on ban.",
    "history.title": "Lich su chi tra:",
    "history.line": "{period} {amount} {status}",
    "history.none": "Chua co khoan chi nao.",
    "problem.title": "Ban gap van de gi?",
    "problem.not_received": "Chua nhan tien",
    "problem.wrong_amount": "Sai so tien",
    "problem.wallet": "Loi vi",
    "problem.other": "Van de khac",
    "problem.note": "Nhap noi dung ngan:",
    "problem.ticket": (
        "Da ghi nhan khieu nai, ma so {ticket}. Ma so se gui qua SMS. Hotline {hotline}."
    ),
    "problem.sms": "ChiTra: da ghi nhan khieu nai cua ban, ma so {ticket}. Hotline {hotline}.",
    "wallet.line": "Vi: {provider} {account}",
    "wallet.verified": "Da xac minh",
    "wallet.unverified": "Chua xac minh",
    "wallet.none": "Chua lien ket vi nhan tien.",
    "wallet.verify": "Nhap ma xac minh vi",
    "wallet.change": "Doi vi",
    "wallet.change_info": "De doi vi, mang CCCD den UBND xa/phuong hoac goi {hotline}.",
    "wallet.code_prompt": "Nhap ma 6 so gui qua SMS:",
    "wallet.code_ok": "Vi da duoc xac minh. Cam on ban.",
    "wallet.resend": "Nhan ma moi qua SMS",
    "wallet.no_code": "Chua co ma nao dang cho. Ma se gui qua SMS den so dien thoai cua vi.",
    "wallet.send": "Gui ma cho toi",
    "wallet.code_sent": "Da gui ma qua SMS den so cua vi (hieu luc 5 phut). Nhap ma 6 so:",
    "wallet.already": "Vi cua ban da duoc xac minh.",
    "wallet.code_wait": "Ma vua duoc gui. Vui long doi 1 phut roi thu lai.",
    "wallet.code_limit": "Ban da yeu cau qua nhieu ma. Thu lai sau hoac goi {hotline}.",
    "wallet.sim_swap": "SIM cua so vi vua bi doi. De an toan, khong gui ma qua SMS. Goi {hotline}.",
    "sms.otp": (
        "ChiTra: Ma xac minh vi cua ban la {code}, hieu luc {minutes} phut. Nhap "
        "ma o menu Vi hoac soan XT {code}. Khong dua ma cho ai."
    ),
    "sms.xt_sent": (
        "ChiTra: da gui ma qua SMS den so cua vi. Soan XT "
        "<ma> trong 5 phut de xac minh."
    ),
    "code.wrong": "Ma khong dung",
    "code.expired": "Ma da het han. Chon lai de nhan ma moi.",
    "code.locked": "Nhap sai qua nhieu lan, tam khoa. Goi {hotline}.",
    "code.not_available": "Chuc nang xac minh chua mo. Goi {hotline} de duoc ho tro.",
    "pin.prompt": "Nhap ma PIN 4 so:",
    "pin.wrong": "Ma PIN sai",
    "pin.new": (
        "Tao ma PIN 4 so de bao ve thong tin (khong dung 1111, 1234, nam sinh). Nhap ma PIN moi:"
    ),
    "pin.repeat": "Nhap lai ma PIN moi:",
    "pin.saved": "Da luu ma PIN. Dung cho ai biet.",
    "pin.weak": "Ma PIN qua de doan, chon ma khac",
    "pin.mismatch": "Hai lan nhap khong khop, lam lai",
    "pin.expired": "Qua lau, vui long lam lai",
    "pin.wrong_left": "Ma PIN sai. Con {tries} lan thu",
    "pin.locked": (
        "Nhap sai ma PIN qua 3 lan, da khoa. Goi {hotline} hoac den UBND xa/phuong de mo khoa."
    ),
    "lang.title": "Chon ngon ngu:",
    "lang.vi": "Tieng Viet khong dau",
    "lang.vi_accented": "Tieng Viet co dau",
    "lang.en": "English",
    "money": "{amount} d",
    "sms.help": (
        "ChiTra: TC xem tien huong; XN xac nhan da nhan tien; KN <noi dung> de khieu nai; "
        "XT <ma> xac minh vi. Hotline {hotline}"
    ),
    "sms.tc": "{name}: {amount}/thang. Ky {period}: {status}",
    "sms.tc_no_cycle": "{name}: {amount}/thang. Chua co ky chi moi",
    "sms.tc_none": "{name}: chua co thong tin tro cap",
    "sms.choose": "Ban nhan thay {count} nguoi. Gui {keyword} <so> ...: {choices}",
    "sms.kn_empty": "Gui KN kem noi dung, vd: KN chua nhan tien thang 6",
    "sms.xt_empty": "Gui XT kem ma 6 so, vd: XT 123456",
    "sms.use_ussd": "Vui long dung menu USSD de thuc hien viec nay.",
    "sms.xn_pin": (
        "Soan XN <ma PIN 4 so> de xac nhan da nhan tien. Nguoi nhan thay: XN <so> <ma PIN>."
    ),
    "sms.pin_not_set": (
        "Ban chua co ma PIN. Bam menu USSD ChiTra, chon 2 Xac nhan da nhan tien de tao ma PIN."
    ),
    # Rate-limit replies (USSD screen, SMS).
    "ussd.too_fast": "Ban thao tac qua nhanh. Vui long thu lai sau 1 phut.",
    "sms.too_many": "ChiTra: ban da gui qua nhieu tin trong 1 gio. Vui long thu lai sau.",
    # Payment notices by SMS (gateway.channels.notices): one GSM-7 SMS each.
    "notice.head": "ChiTra:",
    "notice.head_for": "ChiTra, cho {name}:",
    "notice.succeeded": (
        "{head} Da chuyen {amount} tro cap thang {month} vao vi {wallet}. "
        "Soan XN gui {shortcode} hoac bam {ussd} de xac nhan da nhan."
    ),
    "notice.failed": (
        "{head} Chua chuyen duoc {amount} tro cap thang {month}. Vui long goi "
        "{hotline} hoac den UBND xa/phuong de kiem tra vi."
    ),
    "notice.held": (
        "{head} Tien tro cap thang {month} ({amount}) dang tam giu vi vi chua xac "
        "minh. Bam {ussd}, chon 5 de xac minh hoac goi {hotline}."
    ),
    "notice.held_sim": (
        "{head} Tien tro cap thang {month} ({amount}) dang tam giu vi SIM vua "
        "doi. Mang CCCD den UBND xa/phuong hoac goi {hotline}."
    ),
    "notice.held_review": (
        "{head} Tien tro cap thang {month} ({amount}) dang tam giu de can bo "
        "kiem tra vi nhan. Thac mac xin goi {hotline}."
    ),
    "notice.reminder": (
        "{head} Ngay {date} se chuyen {amount} tro cap thang {month} vao vi "
        "{wallet}. Thac mac xin goi {hotline}."
    ),
}
