"""Accented Vietnamese (UCS-2 on the air: only 80 characters a screen, so it stays terse)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "nav.back": "Quay lại",
    "nav.home": "Menu",
    "nav.more": "Thêm",
    "invalid": "Lựa chọn không hợp lệ",
    "error.system": "Hệ thống đang bận. Vui lòng thử lại sau.",
    "unknown_phone": "Số này chưa đăng ký. Gọi {hotline} hoặc đến UBND xã để đăng ký.",
    "resume.title": "Phiên trước bị ngắt.",
    "resume.continue": "Tiếp tục",
    "resume.restart": "Bắt đầu lại",
    "pick.title": "Chọn người hưởng:",
    "main.entitlement": "Tiền hưởng",
    "main.confirm": "Xác nhận",
    "main.history": "Lịch sử",
    "main.problem": "Báo lỗi",
    "main.wallet": "Ví",
    "main.language": "Ngôn ngữ",
    "programme.TGXH_HANG_THANG": "Trợ cấp xã hội hàng tháng",
    "programme.MAI_TANG": "Hỗ trợ mai táng",
    "programme.KHAN_CAP": "Hỗ trợ khẩn cấp",
    "ent.none": "Chưa có thông tin trợ cấp. Gọi {hotline}.",
    "ent.amount": "Mức: {amount}/tháng",
    "ent.period": "Kỳ {period}: {status}",
    "ent.no_cycle": "Chưa có kỳ chi mới",
    "ent.date": "Ngày chi: {date}",
    "status.pending": "Chờ chi",
    "status.held": "Tạm giữ, ví chưa xác minh",
    "status.sending": "Đang chuyển",
    "status.accepted": "Đang chuyển",
    "status.unknown": "Đang kiểm tra",
    "status.succeeded": "Đã chuyển vào ví",
    "status.failed": "Chuyển lỗi, đang xử lý",
    "status.confirmed": "Đã nhận",
    "confirm.latest": "Kỳ {period}: {amount}, chuyển {date}.",
    "confirm.question": "Bạn đã nhận đủ?",
    "confirm.yes": "Đã nhận đủ",
    "confirm.no": "Chưa nhận/sai tiền",
    "confirm.none": "Chưa có khoản chi nào để xác nhận.",
    "confirm.done": "Cảm ơn. Đã ghi nhận bạn đã nhận tiền.",
    "confirm.already": "Khoản này đã được xác nhận trước đó.",
    "history.title": "Lịch sử chi trả:",
    "history.line": "{period} {amount} {status}",
    "history.none": "Chưa có khoản chi nào.",
    "problem.title": "Vấn đề gì?",
    "problem.not_received": "Chưa nhận tiền",
    "problem.wrong_amount": "Sai số tiền",
    "problem.wallet": "Lỗi ví",
    "problem.other": "Khác",
    "problem.note": "Nhập nội dung ngắn:",
    "problem.ticket": "Đã ghi nhận, mã số {ticket} (gửi qua SMS). Hotline {hotline}.",
    "problem.sms": "ChiTra: đã ghi nhận khiếu nại, mã số {ticket}. Hotline {hotline}.",
    "wallet.line": "Ví: {provider} {account}",
    "wallet.verified": "Đã xác minh",
    "wallet.unverified": "Chưa xác minh",
    "wallet.none": "Chưa liên kết ví.",
    "wallet.verify": "Nhập mã xác minh",
    "wallet.change": "Đổi ví",
    "wallet.change_info": "Để đổi ví, mang CCCD đến UBND xã hoặc gọi {hotline}.",
    "wallet.code_prompt": "Nhập mã 6 số gửi qua SMS:",
    "wallet.code_ok": "Ví đã được xác minh. Cảm ơn.",
    "wallet.resend": "Nhận mã mới",
    "wallet.no_code": "Chưa có mã. Gửi mã qua SMS tới số ví?",
    "wallet.send": "Gửi mã cho tôi",
    "wallet.code_sent": "Đã gửi mã qua SMS (5 phút). Nhập mã 6 số:",
    "wallet.already": "Ví đã được xác minh.",
    "wallet.code_wait": "Mã vừa được gửi. Đợi 1 phút rồi thử lại.",
    "wallet.code_limit": "Yêu cầu quá nhiều mã. Thử lại sau hoặc gọi {hotline}.",
    "wallet.sim_swap": "SIM của số ví vừa bị đổi. Không gửi mã. Gọi {hotline}.",
    "sms.otp": "ChiTra: mã xác minh ví {code}, hiệu lực {minutes} phút. Không đưa mã cho ai.",
    "sms.xt_sent": "ChiTra: đã gửi mã đến số của ví. Soạn XT <mã> trong 5 phút.",
    "code.wrong": "Mã không đúng",
    "code.expired": "Mã đã hết hạn. Chọn lại để nhận mã mới.",
    "code.locked": "Nhập sai quá nhiều lần. Gọi {hotline}.",
    "code.not_available": "Chức năng chưa mở. Gọi {hotline}.",
    "pin.prompt": "Nhập mã PIN 4 số:",
    "pin.wrong": "Mã PIN sai",
    "pin.new": "Tạo mã PIN 4 số, khó đoán:",
    "pin.repeat": "Nhập lại mã PIN mới:",
    "pin.saved": "Đã lưu mã PIN. Đừng cho ai biết.",
    "pin.weak": "PIN quá dễ đoán, chọn mã khác",
    "pin.mismatch": "Không khớp, làm lại",
    "pin.expired": "Quá lâu, làm lại",
    "pin.wrong_left": "Mã PIN sai. Còn {tries} lần thử",
    "pin.locked": "Sai PIN quá 3 lần, đã khóa. Gọi {hotline} để mở khóa.",
    "lang.title": "Chọn ngôn ngữ:",
    "lang.vi": "Không dấu",
    "lang.vi_accented": "Có dấu",
    "lang.en": "English",
    "money": "{amount} đ",
    "sms.help": (
        "ChiTra: TC xem tiền hưởng; XN xác nhận đã nhận; KN <nội dung> khiếu nại; "
        "XT <mã> xác minh ví. Hotline {hotline}"
    ),
    "sms.tc": "{name}: {amount}/tháng. Kỳ {period}: {status}",
    "sms.tc_no_cycle": "{name}: {amount}/tháng. Chưa có kỳ chi mới",
    "sms.tc_none": "{name}: chưa có thông tin trợ cấp",
    "sms.choose": "Bạn nhận thay {count} người. Gửi {keyword} <số> ...: {choices}",
    "sms.kn_empty": "Gửi KN kèm nội dung, vd: KN chưa nhận tiền tháng 6",
    "sms.xt_empty": "Gửi XT kèm mã 6 số, vd: XT 123456",
    "sms.use_ussd": "Vui lòng dùng menu USSD để thực hiện việc này.",
    "sms.xn_pin": "Soạn XN <mã PIN> để xác nhận. Nhận thay: XN <số> <mã PIN>",
    "sms.pin_not_set": "Bạn chưa có mã PIN. Tạo mã PIN trên menu USSD (mục 2).",
    # Rate-limit replies (USSD screen, SMS).
    "ussd.too_fast": "Bạn thao tác quá nhanh. Vui lòng thử lại sau 1 phút.",
    "sms.too_many": "ChiTra: bạn đã gửi quá nhiều tin trong 1 giờ. Vui lòng thử lại sau.",
    # Payment notices by SMS (gateway.channels.notices). Notices are sent unaccented (one
    # GSM-7 SMS); these texts keep the catalog complete for a translator and a future choice.
    "notice.head": "ChiTra:",
    "notice.head_for": "ChiTra, cho {name}:",
    "notice.succeeded": (
        "{head} Đã chuyển {amount} trợ cấp tháng {month} vào ví {wallet}. "
        "Soạn XN gửi {shortcode} hoặc bấm {ussd} để xác nhận đã nhận."
    ),
    "notice.failed": (
        "{head} Chưa chuyển được {amount} trợ cấp tháng {month}. Vui lòng gọi "
        "{hotline} hoặc đến UBND xã/phường để kiểm tra ví."
    ),
    "notice.held": (
        "{head} Tiền trợ cấp tháng {month} ({amount}) đang tạm giữ vì ví chưa xác "
        "minh. Bấm {ussd}, chọn 5 để xác minh hoặc gọi {hotline}."
    ),
    "notice.held_sim": (
        "{head} Tiền trợ cấp tháng {month} ({amount}) đang tạm giữ vì SIM vừa "
        "đổi. Mang CCCD đến UBND xã/phường hoặc gọi {hotline}."
    ),
    "notice.held_review": (
        "{head} Tiền trợ cấp tháng {month} ({amount}) đang tạm giữ để cán bộ "
        "kiểm tra ví nhận. Thắc mắc xin gọi {hotline}."
    ),
    "notice.reminder": (
        "{head} Ngày {date} sẽ chuyển {amount} trợ cấp tháng {month} vào ví "
        "{wallet}. Thắc mắc xin gọi {hotline}."
    ),
}
