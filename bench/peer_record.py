#!/usr/bin/env python3
"""Turn the peers' sample (bench-peers/dialogue_record_sample.json) into a Taiwa record.

Usage: python3 bench/peer_record.py [SAMPLE.json] [OUT.json]
  SAMPLE.json  default: $PEERS_DIR/dialogue_record_sample.json (PEERS_DIR defaults to
               ../shared/bench-peers next to the repository)
  OUT.json     default: bench/dialogue-record-peer-content.json; "-" writes to stdout

The result is a FINAL dialogue-record in the exchange format (taiwa.document/1) that holds
the same data as the peers' sample, so `taiwa export` can be timed against Chromium,
LibreOffice and Typst on equivalent content:
  - every header value (split where our form has separate fields),
  - the 7 section bodies, each verbatim in ONE field (so check_text.py finds each paragraph),
  - the 6 accommodation rows (dates 2026/12/01 -> 2026-12-01),
  - the 6 check boxes as the form's own check boxes / choices,
  - the consent statement and both signatures.
What the sample has as *form wording* (its title, subtitle, section headings, header labels,
check-box labels, the consent heading and signature roles) is not data: our form prints its
own wording from templates/dialogue-record.json instead. See bench/README.md for the exact
characters this leaves out of the text round-trip.

Deterministic: the same sample always gives byte-identical output (UTF-8, 2-space indent,
keys in the order written here, trailing newline). Standard library only.
All people in the sample (and so here) are fictional.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def fail(msg):
    sys.exit(f"peer_record.py: {msg}")


def iso(d):
    """2026/12/01 -> 2026-12-01 (the sample's table dates)."""
    m = re.fullmatch(r"(\d{4})/(\d{2})/(\d{2})", d)
    if not m:
        fail(f"unexpected date {d!r} (want YYYY/MM/DD)")
    return "-".join(m.groups())


def kanji_date(s):
    """First 2026年11月20日 in s -> 2026-11-20."""
    m = re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日", s)
    if not m:
        fail(f"no YYYY年M月D日 date in {s!r}")
    y, mo, d = m.groups()
    return f"{y}-{int(mo):02d}-{int(d):02d}"


def split_paren(s):
    """'佐藤 美咲（人事部、内線：２１５）' -> ('佐藤 美咲', '人事部、内線：２１５')."""
    m = re.fullmatch(r"(.+?)（(.+)）", s)
    if not m:
        fail(f"expected 'name（note）', got {s!r}")
    return m.group(1), m.group(2)


def build(sample):
    F, A = sample["fields"], sample["accommodations"]
    header = dict(F["header"])
    for k in ("対象者氏名", "所属・職種", "事業者名", "実施日時", "実施場所", "参加者", "記録者"):
        if k not in header:
            fail(f"header row {k!r} missing")
    body = {s["heading"].split(".")[0]: s["body"] for s in F["sections"] + F["sections_after_table"]}
    if sorted(body) != [str(i) for i in (1, 2, 3, 4, 6, 7)] or len(A) != 6 or len(F["checks"]) != 6:
        fail("unexpected sample shape (want sections 1-4, 6, 7, 6 table rows, 6 checks)")
    checks = {c["label"]: c["checked"] for c in F["checks"]}

    def check(prefix):
        hits = [v for k, v in checks.items() if k.startswith(prefix)]
        if len(hits) != 1:
            fail(f"check box {prefix!r} not found")
        return hits[0]

    session_date = kanji_date(header["実施日時"])                  # 2026-11-20

    # 参加者: 'name（note）、…' -> participants rows. The role is read from the note; the
    # note goes to `organization` where it says more than the role itself.
    roles = [("本人", "person"), ("経理部長", "line_manager"), ("人事部", "hr"),
             ("産業医", "occupational_physician"), ("ジョブコーチ", "job_coach")]
    participants = []
    for p in header["参加者"].split("、"):
        name, note = split_paren(p)
        role = next((r for key, r in roles if key in note), None)
        if role is None:
            fail(f"no role for participant note {note!r}")
        row = {"name": name, "role": role}
        if note in ("本人", "産業医"):
            pass                                   # the note is just the role: nothing more to print
        elif role == "job_coach":
            row["organization"] = note.replace(" ジョブコーチ", "")  # 就労支援センター (role prints ジョブコーチ)
        else:
            row["organization"] = note             # 経理部長 / 人事部 ダイバーシティ推進担当
        participants.append(row)

    rec_name, rec_org = split_paren(header["記録者"])
    dept, job = header["所属・職種"].split("／", 1)  # 経理部 会計課 / 一般事務（正社員、入社2019年4月）

    # 4. … 3級 … ADHD … APD: the diagnosis as written in section 1
    m = re.search(r"(注意欠如・多動症（ADHD）および聴覚情報処理障害（APD）)", body["1"])
    if not m:
        fail("diagnosis not found in section 1")
    diagnosis = m.group(1)

    # section 6: the measure that was not agreed, as the body words it
    m = re.search(r"(在宅勤務（テレワーク）を週2日に増やすこと)", body["6"])
    if not m:
        fail("the not-agreed measure not found in section 6")
    not_agreed = m.group(1)

    # 9. signatures: the sample leaves name and date blank (signed on paper:
    # '2026年　　月　　日'). A FINAL record requires them: the person's own name and the
    # name in the employer's role line, both dated on the session date.
    sigs = F["consent"]["signatures"]
    m = re.fullmatch(r"事業者（(.+?)[\s\u3000]+(.+)）", sigs[1]["role"])
    if sigs[0]["role"] != "本人" or not m:
        fail("unexpected signature roles")
    employer_signer = f"{m.group(2)}（{m.group(1)}）"                     # 髙橋 誠（人事部長）
    person_name_only = header["対象者氏名"].split("（")[0]                  # 山田 花子

    # 3. the recipients named in check box 3: 経理部 会計課、人事部、産業医
    c3 = next(k for k in checks if k.startswith("配慮内容を共有する範囲"))
    share_recipients = re.search(r"（(.+?)）", c3).group(1)
    # 5. the contact points named in check box 5: 人事部・産業医
    c5 = next(k for k in checks if k.startswith("相談窓口"))
    contact = re.search(r"（(.+?)）", c5).group(1)

    ub = check("過重な負担に当たるか否か")
    shared = check("配慮内容を共有する範囲")
    fields = {
        # ---- meta
        "session_date": session_date,                       # 実施日時: the date part only (see README)
        "session_mode": "in_person",                        # 実施場所: 本社3F 第2会議室 (Teams 併用)
        "dialogue_stage": "request_after_hiring",           # an employee's own written request (section 1)
        "legal_basis": ["disability_employment_act"],       # subtitle: 障害者雇用促進法に基づく…
        "recorder": {"name": rec_name, "organization": rec_org},   # 記録者
        "participants": participants,                       # 参加者
        # required because a job coach attended; the sample has no such check box: the person
        # brought the job coach from her own support centre, so true
        "participants_consent": True,
        # ---- person
        "person_name": header["対象者氏名"],                # verbatim, with the kana reading
        "person_alias": F["record_no"],                     # 記録番号 RA-2026-0137 (record_id is assigned by the store)
        "employment_status": "employed",
        "employer_name": header["事業者名"],                 # verbatim, with 従業員数
        "department": dept,
        "job_title": job,
        "employment_type": "regular",                       # 正社員
        "certificate": "mental_health_certificate",         # section 1: 精神障害者保健福祉手帳（3級）
        "diagnosis_disclosure": "employer_hr",              # the record (seen by HR) names the diagnosis
        "diagnosis_name": diagnosis,                        # required by employer_hr; quoted from section 1
        # ---- request
        "request_date": kanji_date(body["1"]),              # 2026年10月1日付「合理的配慮の申出書」
        "request_channel": "written",
        "requester": "person",
        "functional_impacts": ["hearing_speech", "concentration_cognition", "psychological_strain"],  # section 2
        # section 2 (本人の状況と業務上の支障) verbatim as the one barrier row
        "barriers": [{"scene": "communication_information", "description": body["2"]}],
        # section 1 (申出の内容) verbatim as one requested-measures row (①–⑤ stay in one paragraph)
        "requested_measures": [{"measure": body["1"]}],
        # ---- consideration
        # section 4 (話し合いの経過): the form has no "course of the dialogue" field. Its content is
        # mostly the 主治医意見書 shared with the 産業医 and the 産業医's advice, so medical_input.
        "medical_input": body["4"],
        # check box 2 (過重な負担の検討結果を説明した) and section 3 (事業者側の検討内容)
        "undue_burden_check": ub,
        "ub_business_impact": body["3"],                    # section 3 verbatim
        # the other undue-burden fields are required once undue_burden_check is true; the
        # sample has one paragraph for all of them, so these are short values taken from it
        "ub_difficulty": "上欄のとおり（窓側の空席とＬＡＮ配線の延長工事で対応可能）",
        "ub_cost": "ＬＡＮ配線の延長工事 見積額：税込33,000円（他は費用なし）",
        "ub_company_size": re.search(r"（(従業員数：\d+名)）", header["事業者名"]).group(1),
        "ub_finance": "上欄のとおり（過重な負担には該当しない）",
        "ub_public_support": "就労支援センターのジョブコーチが支援",
        "ub_conclusion": "not_undue",                       # 過重な負担には該当しないと判断した
        # ---- agreement: the table (5. 合意した配慮の内容)
        "agreed_measures": [
            {"measure": a["content"],
             # rows 1-5 are the requests ①–⑤ of section 1; row 6 is section 6's 代替案
             "agreement_type": "alternative_agreed" if i == 5 else "as_requested",
             "start_date": iso(a["start"]),
             "end_or_review": iso(a["review"]),
             "owner": a["owner"],
             "status": "preparing"}                         # every start date is after the session
            for i, a in enumerate(A)],
        # section 6 (合意に至らなかった事項と代替案): the body verbatim as the reason
        "not_implemented": [{"measure": not_agreed, "reason": body["6"]}],
        # check box 1 (本人に…理由を説明し、意見を聴取した); required with not_implemented
        "reason_explained": check("本人に配慮の内容と理由を説明"),
        "reason_explained_date": session_date,
        # consent statement (9. 本人の確認・同意) verbatim: it is the person's own acceptance
        "person_view": F["consent"]["statement"],
        # section 7 (今後の進め方): next steps and whom to consult, with the long URL
        "disagreement": body["7"],
        # check box 3: sharing with 経理部 会計課 (manager + coworkers), 人事部, 産業医
        "share_with": ["line_manager", "coworkers_same_department", "hr", "occupational_health_staff"] if shared else ["nobody"],
        "share_content": "agreed_measures_only",            # section 2: only what is needed, to those who need it
        # required by share_with; purpose has no counterpart in the sample (chosen wording);
        # method: the person signs the sheet (section 9)
        "consents": [{"recipient": share_recipients, "purpose": "合意した配慮の実施のため",
                      "date": session_date, "method": "signature"}] if shared else [],
        "internal_contact": contact if check("相談窓口") else "",   # check box 5
        # check boxes 4 (就業規則の変更を伴う) and 6 (外部専門機関への相談を要する) are unchecked
        # and have no counterpart in the form: nothing to record
        # ---- review (section 7)
        # 実施後3か月を目安に → three months after 2026-12-01, as in the table's 見直し日
        "next_review_date": iso(A[0]["review"]),
        "review_triggers": ["health_change", "job_change", "person_request"],  # 体調や業務内容に変化 / いつでも相談
        # ---- confirmation (section 9 signatures)
        "sign_person": {"name": person_name_only, "date": session_date, "confirmed": True},
        "sign_employer": {"name": employer_signer, "date": session_date, "confirmed": True},
        "attachments": ["attending_physician_opinion"],    # 申出書には主治医の意見書…が添付
    }
    fields = {k: v for k, v in fields.items() if v not in ("", [])}
    return {"format": "taiwa.document/1", "template": "dialogue-record", "template_version": 1,
            "status": "final", "lang": "ja", "fields": fields}


def main():
    peers = os.environ.get("PEERS_DIR", os.path.join(os.path.dirname(ROOT), "shared", "bench-peers"))
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(peers, "dialogue_record_sample.json")
    dst = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "dialogue-record-peer-content.json")
    with open(src, encoding="utf-8") as f:
        rec = build(json.load(f))
    text = json.dumps(rec, ensure_ascii=False, indent=2) + "\n"
    if dst == "-":
        sys.stdout.write(text)
    else:
        with open(dst, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)


if __name__ == "__main__":
    main()
