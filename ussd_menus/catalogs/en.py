"""English."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "nav.back": "Back",
    "nav.home": "Main menu",
    "nav.more": "More",
    "invalid": "Invalid choice",
    "error.system": "The service is busy. Please try again in a few minutes.",
    "unknown_phone": (
        "This phone is not registered for social assistance. To register, bring your ID card "
        "to the commune office or call {hotline}."
    ),
    "resume.title": "Your last session was cut off.",
    "resume.continue": "Continue",
    "resume.restart": "Start again",
    "pick.title": "Choose the person:",
    "main.entitlement": "My entitlement",
    "main.confirm": "Confirm money received",
    "main.history": "Payment history",
    "main.problem": "Report a problem",
    "main.wallet": "My wallet",
    "main.language": "Language/Ngon ngu",
    "programme.TGXH_HANG_THANG": "Monthly social assistance",
    "programme.MAI_TANG": "Funeral support",
    "programme.KHAN_CAP": "Emergency support",
    "ent.none": "No benefit found. Call {hotline}.",
    "ent.amount": "Amount: {amount}/month",
    "ent.period": "{period}: {status}",
    "ent.no_cycle": "No payment cycle yet",
    "ent.date": "Payment date: {date}",
    "status.pending": "Waiting",
    "status.held": "On hold, wallet not verified",
    "status.sending": "Being sent",
    "status.accepted": "Being sent",
    "status.unknown": "Being checked",
    "status.succeeded": "Sent to wallet",
    "status.failed": "Failed, being fixed",
    "status.confirmed": "Received",
    "confirm.latest": "{period}: {amount}, sent on {date}.",
    "confirm.question": "Did you receive it in full?",
    "confirm.yes": "Yes, received",
    "confirm.no": "No / wrong amount",
    "confirm.none": "No payment has been sent yet to confirm.",
    "confirm.done": "Thank you. Your receipt is recorded.",
    "confirm.already": "This payment was already confirmed. Thank you.",
    "history.title": "Payment history:",
    "history.line": "{period} {amount} {status}",
    "history.none": "No payments yet.",
    "problem.title": "What is the problem?",
    "problem.not_received": "Money not received",
    "problem.wrong_amount": "Wrong amount",
    "problem.wallet": "Wallet problem",
    "problem.other": "Other",
    "problem.note": "Type a short note:",
    "problem.ticket": (
        "Complaint recorded, ticket {ticket}. We will SMS it to you. Hotline {hotline}."
    ),
    "problem.sms": "ChiTra: your complaint is recorded, ticket {ticket}. Hotline {hotline}.",
    "wallet.line": "Wallet: {provider} {account}",
    "wallet.verified": "Verified",
    "wallet.unverified": "Not verified",
    "wallet.none": "No wallet linked yet.",
    "wallet.verify": "Enter verification code",
    "wallet.change": "Change wallet",
    "wallet.change_info": (
        "To change wallet, bring your ID card to the commune office or call {hotline}."
    ),
    "wallet.code_prompt": "Enter the 6-digit code sent by SMS:",
    "wallet.code_ok": "Your wallet is verified. Thank you.",
    "wallet.resend": "Get a new code by SMS",
    "wallet.no_code": "No code is waiting. We send one by SMS to the wallet's phone.",
    "wallet.send": "Send me a code",
    "wallet.code_sent": (
        "Code sent by SMS to the wallet's phone (valid 5 "
        "min). Enter the 6-digit code:"
    ),
    "wallet.already": "Your wallet is already verified.",
    "wallet.code_wait": "A code was just sent. Wait a minute, then try again.",
    "wallet.code_limit": "Too many codes asked for. Try later or call {hotline}.",
    "wallet.sim_swap": (
        "The wallet phone's SIM changed recently. For your "
        "safety no code is sent. Call {hotline}."
    ),
    "sms.otp": (
        "ChiTra: your wallet code is {code}, valid {minutes} min. Enter it in "
        "the Wallet menu or text XT {code}. Never share it."
    ),
    "sms.xt_sent": (
        "ChiTra: a code was sent by SMS to the wallet's "
        "phone. Text XT <code> within 5 minutes."
    ),
    "code.wrong": "Wrong code",
    "code.expired": "The code has expired. Choose again for a new one.",
    "code.locked": "Too many wrong tries, locked. Call {hotline}.",
    "code.not_available": "Verification is not open yet. Call {hotline} for help.",
    "pin.prompt": "Enter your 4-digit PIN:",
    "pin.wrong": "Wrong PIN",
    "pin.new": "Choose a 4-digit PIN to protect your account (not 1111, 1234 or your birth year):",
    "pin.repeat": "Enter the new PIN again:",
    "pin.saved": "PIN saved. Never tell anyone.",
    "pin.weak": "That PIN is too easy to guess, choose another",
    "pin.mismatch": "The two PINs differ, start again",
    "pin.expired": "Too slow, please start again",
    "pin.wrong_left": "Wrong PIN. Tries left: {tries}",
    "pin.locked": (
        "Too many wrong PINs, locked. Call {hotline} or visit the commune office to unlock."
    ),
    "lang.title": "Choose a language:",
    "lang.vi": "Tieng Viet khong dau",
    "lang.vi_accented": "Tieng Viet co dau",
    "lang.en": "English",
    "money": "{amount} VND",
    "sms.help": (
        "ChiTra: TC entitlement; XN confirm money received; KN <text> complaint; "
        "XT <code> verify wallet. Hotline {hotline}"
    ),
    "sms.tc": "{name}: {amount}/month. {period}: {status}",
    "sms.tc_no_cycle": "{name}: {amount}/month. No payment cycle yet",
    "sms.tc_none": "{name}: no benefit found",
    "sms.choose": "You act for {count} people. Send {keyword} <number> ...: {choices}",
    "sms.kn_empty": "Send KN with a note, e.g. KN money not received for June",
    "sms.xt_empty": "Send XT with the 6-digit code, e.g. XT 123456",
    "sms.use_ussd": "Please use the USSD menu for this.",
    "sms.xn_pin": "Send XN <4-digit PIN> to confirm money received. Caregivers: XN <number> <PIN>.",
    "sms.pin_not_set": (
        "You have no PIN yet. Dial the ChiTra USSD menu and choose 2 Confirm money "
        "received to set one."
    ),
    # Rate-limit replies (USSD screen, SMS).
    "ussd.too_fast": "Too many requests. Please try again in a minute.",
    "sms.too_many": "ChiTra: too many messages this hour. Please try again later.",
    # Payment notices by SMS (gateway.channels.notices): one GSM-7 SMS each.
    "notice.head": "ChiTra:",
    "notice.head_for": "ChiTra, for {name}:",
    "notice.succeeded": (
        "{head} {amount} benefit for {month} sent to wallet {wallet}. "
        "Text XN to {shortcode} or dial {ussd} to confirm you got it."
    ),
    "notice.failed": (
        "{head} we could not send the {amount} benefit for {month}. Call "
        "{hotline} or visit the commune office to check your wallet."
    ),
    "notice.held": (
        "{head} the {month} benefit ({amount}) is on hold: wallet not "
        "verified. Dial {ussd} and choose 5 to verify, or call {hotline}."
    ),
    "notice.held_sim": (
        "{head} the {month} benefit ({amount}) is on hold: the SIM was just "
        "changed. Bring your ID to the commune office or call {hotline}."
    ),
    "notice.held_review": (
        "{head} the {month} benefit ({amount}) is on hold while an officer "
        "checks the wallet. Questions: call {hotline}."
    ),
    "notice.reminder": (
        "{head} {amount} benefit for {month} will be sent to wallet {wallet} "
        "on {date}. Questions: call {hotline}."
    ),
}
