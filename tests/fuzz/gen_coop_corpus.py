#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_coop (run by hand: gen_coop_corpus.py tests/fuzz/corpus/coop).

Each file is one byte n, n bytes of the entry's path, then a record body in canonical msgpack
(PROTOCOL.md §1.2): valid acts at their own path (§5.1), labels, calls and a REX with the
references they link (§5.3), and broken ones (wrong path, another territory's label, upper-case
hex, oversized texts, evidence for a criterion not listed, bytes that do not decode)."""
import hashlib
import os
import struct
import sys

TERR_A = hashlib.sha256(b"Metropole de Lyonnais-sur-Rhone").hexdigest()
TERR_B = hashlib.sha256(b"Commune de Saint-Aubin-les-Pres").hexdigest()
ENTRY = hashlib.sha256(b"component/outil-transcription v3").hexdigest()


def pack(v):
    if isinstance(v, bool):
        return b"\xc3" if v else b"\xc2"
    if isinstance(v, int):
        assert v >= 0
        if v < 128:
            return bytes([v])
        for lim, code, fmt in ((1 << 8, 0xcc, ">B"), (1 << 16, 0xcd, ">H"),
                               (1 << 32, 0xce, ">I")):
            if v < lim:
                return bytes([code]) + struct.pack(fmt, v)
        return b"\xcf" + struct.pack(">Q", v)
    if isinstance(v, str):
        b = v.encode()
        n = len(b)
        if n < 32:
            return bytes([0xa0 | n]) + b
        if n < 256:
            return b"\xd9" + bytes([n]) + b
        if n < 65536:
            return b"\xda" + struct.pack(">H", n) + b
        return b"\xdb" + struct.pack(">I", n) + b
    if isinstance(v, list):
        n = len(v)
        head = bytes([0x90 | n]) if n < 16 else b"\xdc" + struct.pack(">H", n)
        return head + b"".join(pack(x) for x in v)
    if isinstance(v, dict):
        items = sorted((pack(k), pack(x)) for k, x in v.items())
        n = len(items)
        head = bytes([0x80 | n]) if n < 16 else b"\xde" + struct.pack(">H", n)
        return head + b"".join(k + x for k, x in items)
    raise TypeError(v)


def digest(territory_hex, path):
    h = hashlib.blake2b(digest_size=16)
    h.update(b"maille/1 target" + bytes.fromhex(territory_hex) + path.encode())
    return h.hexdigest()


def target(t, p, entry=None):
    d = {"territory": t, "path": p}
    if entry:
        d["entry"] = entry
    return d


CALL = "call/mutualiser-un-assistant-de-transcription"
LABEL = "label/ia-de-confiance"
COMP = "component/outil-transcription"

interest = {"type": "interest", "call": target(TERR_A, CALL), "role": "co_developer",
            "message": "Nous pouvons tester l'outil sur nos conseils municipaux dès janvier."}
award = {"type": "award", "label": target(TERR_A, LABEL), "target": target(TERR_B, COMP, ENTRY),
         "criteria": ["transparence", "sobriete"], "awarded": "2026-12-07", "until": "2028-12-07",
         "evidence": [{"criterion": "transparence",
                       "text": "Fiche publiée au registre le 12 mars 2026."}]}
comment = {"type": "comment", "target": target(TERR_B, COMP),
           "text": "Avez-vous mesuré le *taux d'erreur* sur les noms propres ?", "lang": "fr"}
label = {"type": "label", "title": {"fr": "IA de confiance"},
         "summary": {"fr": "Un label pour les systèmes d'IA publics documentés et sobres."},
         "criteria": [{"id": "transparence", "text": "Le système est au registre."},
                      {"id": "sobriete", "text": "Son empreinte est mesurée."}],
         "validity_months": 24}
call = {"type": "call", "title": {"fr": "Mutualiser un assistant de transcription"},
        "summary": {"fr": "Transcrire les séances du conseil à plusieurs."},
        "status": "open", "cooperation": "co_development",
        "need": {"fr": "Transcrire et résumer les séances pour les publier sous huit jours."},
        "deadline": "2027-03-31",
        "related": [COMP, "https://exemple.fr/projet", TERR_B + "/" + COMP, "urn:isbn:1"]}
rex = {"type": "rex", "title": {"fr": "Transcription des conseils : un an après"},
       "relations": [{"rel": "uses", "target": COMP},
                     {"rel": "uses", "target": "https://exemple.fr/outil"}]}


def act_path(body, rnd="3c9a01fe42007db5"):
    t = body["type"]
    if t == "interest":
        return "interest/" + digest(body["call"]["territory"], body["call"]["path"])
    if t == "award":
        return "award/%s/%s" % (digest(body["target"]["territory"], body["target"]["path"]),
                                digest(body["label"]["territory"], body["label"]["path"]))
    return "comment/%s/%s" % (digest(body["target"]["territory"], body["target"]["path"]), rnd)


def case(path, body):
    p = path.encode() if isinstance(path, str) else path
    b = body if isinstance(body, bytes) else pack(body)
    return bytes([len(p)]) + p + b


def main(out):
    reply = dict(comment, target=target(TERR_B, act_path(comment)), text="Oui : 3 % sur un an.")
    upper = dict(interest, call=target(TERR_A.upper(), CALL))
    other_label = dict(award, label=target(TERR_B, LABEL))
    long_ev = dict(award, evidence=[{"criterion": "é" * 300, "text": "x"}])
    long_ev2 = dict(award, evidence=[{"criterion": "x" + "é" * 300, "text": "x"}])
    cases = {
        "interest-valid": case(act_path(interest), interest),
        "award-valid": case(act_path(award), award),
        "comment-valid": case(act_path(comment), comment),
        "comment-reply": case(act_path(reply), reply),
        "label-valid": case(LABEL, label),
        "call-related": case(CALL, call),
        "rex-relations": case("rex/transcription-des-conseils", rex),
        "interest-wrong-path": case("interest/" + "0" * 32, interest),
        "interest-upper-hex": case(act_path(interest), upper),
        "award-other-label": case(act_path(other_label), other_label),
        "award-evidence-long": case(act_path(long_ev), long_ev),
        "award-evidence-long2": case(act_path(long_ev2), long_ev2),
        "award-no-entry": case(act_path(award), dict(award, target=target(TERR_B, COMP))),
        "comment-id-upper": case(act_path(comment, "3C9A01FE42007DB5"), comment),
        "comment-too-long": case(act_path(comment), dict(comment, text="é" * 4200)),
        "interest-message-long": case(act_path(interest), dict(interest, message="a" * 4097)),
        "label-bad-ids": case(LABEL, dict(label, criteria=[
            {"id": "Transparence", "text": "a"}, {"id": "sobriete", "text": "b"},
            {"id": "sobriete", "text": "c"}])),
        "path-escape": case(b"\x1b[31mrouge\x1b[0m", interest),
        "path-dotdot": case(act_path(interest), dict(interest, call=target(TERR_A, "../call"))),
        "not-a-map": case("x", [1, 2, 3]),
        "truncated": case(act_path(interest), pack(interest)[:-7]),
        "empty-body": case("", {}),
        "call-related-deep": case(CALL, dict(call, related=[
            TERR_B + "/component" + "/s" * 15, TERR_B + "/", TERR_B.upper() + "/" + COMP])),
    }
    os.makedirs(out, exist_ok=True)
    for name, data in cases.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1])
