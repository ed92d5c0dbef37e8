#!/usr/bin/env python3
"""Generates examples/trade-2025/data.json: a synthetic, deterministic trade dataset for the policy
library (policies/). Companies, identifiers and certifications are made up; the mix of programmes,
levels, roles and lanes is meant to look like real trade into the United States and a few other
administrations in 2024-2025. Run from anywhere: `python3 examples/trade-2025/generate.py`.

The output is canonical JSON (`{"relation": [[...], ...]}`), one row per fact, for the relations
declared in policies/vocabulary.accord. The seed is fixed, so the file is reproducible byte for byte.
"""
import datetime
import json
import os
import random

SEED = 2025
rng = random.Random(SEED)
START, END = datetime.date(2024, 1, 1), datetime.date(2025, 6, 30)

rows = {name: [] for name in [
    "company", "mid", "mid_link", "consent", "consent_withdrawn", "certification", "valid_until",
    "validated", "suspension", "suspension_lifted", "revocation", "renewal_notice", "privilege_withheld",
    "shipment", "shipment_exporter", "shipment_manufacturer", "shipment_importer", "shipment_carrier",
    "entry_mid", "declared_aeo_id"]}

def day(d):
    return d.isoformat()

def rand_date(a, b):
    return a + datetime.timedelta(days=rng.randrange((b - a).days + 1))

SYLL = ["al", "be", "cor", "da", "el", "fa", "gor", "hal", "in", "ja", "ka", "lu", "mar", "no", "or",
        "pa", "qui", "ro", "sa", "ta", "ul", "ve", "wen", "xan", "yo", "ze"]
SUFFIX = {"US": "LLC", "MX": "S.A. de C.V.", "CA": "Inc.", "DE": "GmbH", "FR": "SAS", "IT": "S.p.A.",
          "NL": "B.V.", "ES": "S.L.", "PL": "Sp. z o.o.", "JP": "K.K.", "KR": "Co., Ltd.", "CN": "Co., Ltd.",
          "TW": "Corp.", "GB": "Ltd", "IN": "Pvt. Ltd.", "SG": "Pte. Ltd.", "IL": "Ltd.", "BR": "Ltda.",
          "VN": "JSC", "NZ": "Ltd", "JO": "LLC", "DO": "S.R.L.", "PE": "S.A.C.", "CO": "S.A.S.",
          "GT": "S.A.", "TH": "Co., Ltd."}
CITY = {"US": "HOU", "MX": "MON", "CA": "TOR", "DE": "STU", "FR": "LYO", "IT": "MIL", "NL": "ROT",
        "ES": "BAR", "PL": "POZ", "JP": "OSA", "KR": "SEO", "CN": "SHE", "TW": "TAI", "GB": "BIR",
        "IN": "PUN", "SG": "SIN", "IL": "HAI", "BR": "SAO", "VN": "HAN", "NZ": "AUC", "JO": "AMM",
        "DO": "SAN", "PE": "LIM", "CO": "BOG", "GT": "GUA", "TH": "BAN"}
EU = {"DE", "FR", "IT", "NL", "ES", "PL"}

companies = []  # dicts

def new_company(country, roles):
    w1 = (rng.choice(SYLL) + rng.choice(SYLL)).capitalize()
    w2 = (rng.choice(SYLL) + rng.choice(SYLL) + rng.choice(SYLL)).capitalize()
    cid = f"{country}{len(companies) + 1:04d}"
    c = {"id": cid, "country": country, "roles": roles, "certs": [],
         "mid": f"{country}{w1[:3].upper()}{w2[:3].upper()}{rng.randrange(1, 9999)}{CITY[country]}"}
    rows["company"].append([cid, f"{w1} {w2} {SUFFIX[country]}", country])
    if "manufacturer" in roles:
        rows["mid"].append([cid, c["mid"]])
    companies.append(c)
    return c

def certify(c, program, level, roles, since, cert_id=None, until=None):
    cert = cert_id or f"{program}-{c['id']}-{level.replace(' ', '')}"
    for r in roles:
        rows["certification"].append([cert, c["id"], program, level, r, day(since)])
    if until:
        rows["valid_until"].append([cert, day(until)])
    c["certs"].append((cert, program, level))
    return cert

def lifecycle(cert, since, suspend_p=0.03, revoke_p=0.01):
    """Rare adverse events during the window."""
    x = rng.random()
    if x < suspend_p:
        f = rand_date(datetime.date(2024, 3, 1), datetime.date(2025, 3, 1))
        rows["suspension"].append([cert, day(f)])
        if rng.random() < 0.5:
            rows["suspension_lifted"].append([cert, day(f), day(f + datetime.timedelta(days=rng.randrange(30, 120)))])
    elif x < suspend_p + revoke_p:
        rows["revocation"].append([cert, day(rand_date(datetime.date(2024, 3, 1), datetime.date(2025, 3, 1)))])

# ---- U.S. importers (CTPAT tiers) -------------------------------------------------------------------
us_importers = []
for _ in range(90):
    c = new_company("US", ["importer"])
    x = rng.random()
    if x < 0.35:
        level = "Tier 2"
    elif x < 0.50:
        level = "Tier 3"
    elif x < 0.60:
        level = "Tier 1"
    else:
        level = None
    if level:
        since = rand_date(datetime.date(2008, 1, 1), datetime.date(2023, 6, 30))
        roles = ["importer"] + (["exporter"] if rng.random() < 0.3 else [])
        cert = certify(c, "US-CTPAT", level, roles, since)
        if level != "Tier 1":
            v = rand_date(since, datetime.date(2024, 6, 30))
            rows["validated"].append([cert, day(v)])
        if "exporter" in roles and rng.random() < 0.8:
            rows["consent"].append([c["id"], "US-CTPAT", day(since)])
        lifecycle(cert, since)
        if rng.random() < 0.03:
            rows["privilege_withheld"].append([cert, "reduced_risk_score", day(rand_date(START, END))])
    us_importers.append(c)

# ---- foreign manufacturers and exporters ------------------------------------------------------------
# country: (count, [(programme, level, probability)], extra)
FOREIGN = {
    "CN": (60, [("CN-AEO", "Advanced Certified", 0.10)]),
    "MX": (55, [("MX-NEEC-OEA", "OEA", 0.45), ("MX-NEEC-OEA", "IVA-IEPS AA", 0.15)]),
    "CA": (25, [("CA-PIP", "member", 0.40)]),
    "DE": (25, [("EU-AEO", "AEOF", 0.30), ("EU-AEO", "AEOS", 0.15), ("EU-AEO", "AEOC", 0.15)]),
    "IT": (14, [("EU-AEO", "AEOF", 0.25), ("EU-AEO", "AEOS", 0.10), ("EU-AEO", "AEOC", 0.20)]),
    "FR": (12, [("EU-AEO", "AEOS", 0.30), ("EU-AEO", "AEOC", 0.20)]),
    "NL": (8, [("EU-AEO", "AEOF", 0.40)]),
    "ES": (6, [("EU-AEO", "AEOS", 0.30)]),
    "PL": (5, [("EU-AEO", "AEOC", 0.30)]),
    "JP": (25, [("JP-AEO", "Authorized Exporter", 0.35), ("JP-AEO", "Authorized Manufacturer", 0.10)]),
    "KR": (20, [("KR-AEO", "AA", 0.25), ("KR-AEO", "AAA", 0.15)]),
    "TW": (15, [("TW-AEO", "AEOS", 0.30), ("TW-AEO", "AEOG", 0.15)]),
    "VN": (18, []),
    "IN": (15, [("IN-AEO", "AEO-T2", 0.20), ("IN-AEO", "AEO-T1", 0.15)]),
    "GB": (12, [("UK-AEO", "AEOS", 0.35), ("UK-AEO", "AEOC", 0.15)]),
    "SG": (8, [("SG-STP", "STP", 0.25), ("SG-STP", "STP-Plus", 0.20)]),
    "IL": (6, [("IL-AEO", "member", 0.40)]),
    "BR": (8, [("BR-OEA", "OEA-S", 0.30), ("BR-OEA", "OEA-C", 0.20)]),
    "NZ": (6, [("NZ-SES", "member", 0.50)]),
    "TH": (6, []),
    "JO": (4, [("JO-GOLDEN-LIST", "Golden List", 0.50)]),
    "DO": (4, [("DO-AEO", "member", 0.50)]),
    "PE": (4, [("PE-OEA", "member", 0.40)]),
    "CO": (4, [("CO-OEA", "member", 0.40)]),
    "GT": (3, [("GT-OEA", "member", 0.40)]),
}
suppliers = {}
for country, (n, programs) in FOREIGN.items():
    for _ in range(n):
        c = new_company(country, ["manufacturer", "exporter"])
        x = rng.random()
        acc = 0.0
        for program, level, p in programs:
            acc += p
            if x < acc:
                since = rand_date(datetime.date(2010, 1, 1), datetime.date(2024, 9, 30))
                eu_like = program in ("EU-AEO", "UK-AEO")
                prefix = {"EU-AEO": f"{country}AEO{level[-1]}", "UK-AEO": f"GBAEO{level[-1]}",
                          "CN-AEO": "AEOCN"}.get(program)
                cert_id = f"{prefix}{rng.randrange(10**9, 10**10)}" if prefix else None
                until = None
                if program == "KR-AEO":
                    since = rand_date(datetime.date(2019, 1, 1), datetime.date(2024, 6, 30))
                    until = since + datetime.timedelta(days=3 * 365 - 1)
                    if rng.random() < 0.6:
                        until = until.replace(year=until.year + 3)  # renewed
                if program == "MX-NEEC-OEA":
                    since = rand_date(datetime.date(2015, 1, 1), datetime.date(2024, 3, 1))
                    until = datetime.date(2025, rng.randrange(1, 13), 1) - datetime.timedelta(days=1)
                # roles the programme offers (policies/programs/*.accord `program_role`): PIP, KCS and SES list no manufacturers
                roles = ["exporter"] if program in ("CA-PIP", "KR-AEO", "NZ-SES") else ["manufacturer", "exporter"]
                cert = certify(c, program, level, roles, since, cert_id, until)
                if program == "MX-NEEC-OEA" and until:
                    # most renew in the 30-day window, some late
                    filed = until - datetime.timedelta(days=rng.choice([5, 12, 20, 28, 45]))
                    if rng.random() < 0.85:
                        rows["renewal_notice"].append([cert, day(filed), day(until.replace(year=until.year + 1))])
                if eu_like and level != "AEOC":
                    if rng.random() < 0.85:
                        rows["mid_link"].append([c["id"], c["mid"], day(max(since, datetime.date(2012, 8, 1)))])
                if program == "EU-AEO" and rng.random() < 0.9:
                    rows["consent"].append([c["id"], "EU-AEO", day(since)])
                lifecycle(cert, since)
                break
        suppliers.setdefault(country, []).append(c)

# trading companies (exporters that are not manufacturers)
traders = [new_company(cc, ["exporter"]) for cc in ["NL", "DE", "SG", "US", "MX", "CN"] for _ in range(3)]

# EU importers and a few importers elsewhere
eu_importers = []
for cc in ["DE", "NL", "FR", "IT", "ES"]:
    for _ in range(8):
        c = new_company(cc, ["importer"])
        if rng.random() < 0.4:
            since = rand_date(datetime.date(2010, 1, 1), datetime.date(2023, 1, 1))
            certify(c, "EU-AEO", rng.choice(["AEOF", "AEOS", "AEOC"]), ["importer"], since,
                    f"{cc}AEO{rng.choice('CSF')}{rng.randrange(10**9, 10**10)}")
        eu_importers.append(c)
other_importers = {}
for cc, prog, level in [("MX", "MX-NEEC-OEA", "OEA"), ("CA", "CA-PIP", "member"), ("JP", None, None),
                        ("KR", "KR-AEO", "AAA"), ("CN", None, None), ("GB", None, None)]:
    lst = []
    for _ in range(6):
        c = new_company(cc, ["importer"])
        if prog and rng.random() < 0.5:
            since = rand_date(datetime.date(2016, 1, 1), datetime.date(2023, 1, 1))
            until = datetime.date(2027, 12, 31) if prog in ("MX-NEEC-OEA", "KR-AEO") else None
            certify(c, prog, level, ["importer"], since, None, until)
        lst.append(c)
    other_importers[cc] = lst

carriers = []
for _ in range(6):
    c = new_company("MX", ["carrier"])
    if rng.random() < 0.6:
        certify(c, "MX-NEEC-OEA", "SCC", ["carrier"], datetime.date(2018, 1, 1), None, datetime.date(2027, 12, 31))
    carriers.append(c)

# ---- shipments ----------------------------------------------------------------------------------------
US_ORIGINS = [("CN", 24), ("MX", 20), ("CA", 9), ("DE", 6), ("IT", 3), ("FR", 2), ("NL", 2), ("ES", 1),
              ("PL", 1), ("JP", 7), ("KR", 5), ("TW", 4), ("VN", 6), ("IN", 4), ("GB", 3), ("SG", 2),
              ("IL", 1), ("BR", 1), ("NZ", 1), ("TH", 1), ("JO", 1), ("DO", 1), ("PE", 1), ("CO", 1), ("GT", 1)]
def weighted(pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for v, w in pairs:
        x -= w
        if x <= 0:
            return v
    return pairs[-1][0]

n = 0
def ship(origin, dest, d):
    global n
    n += 1
    sid = f"T{n:05d}"
    rows["shipment"].append([sid, origin, dest, day(d)])
    return sid

for _ in range(2600):  # into the United States
    origin = weighted(US_ORIGINS)
    maker = rng.choice(suppliers[origin])
    d = rand_date(START, END)
    sid = ship(origin, "US", d)
    imp = rng.choice(us_importers)
    rows["shipment_importer"].append([sid, imp["id"]])
    rows["shipment_manufacturer"].append([sid, maker["id"]])
    exporter = maker if rng.random() < 0.8 else rng.choice(traders)
    rows["shipment_exporter"].append([sid, exporter["id"]])
    # the MID: usually the manufacturer's; sometimes a broker keys the trading company's instead
    if rng.random() < 0.95:
        rows["entry_mid"].append([sid, maker["mid"]])
    if origin == "MX" and rng.random() < 0.5:
        rows["shipment_carrier"].append([sid, rng.choice(carriers)["id"]])

def exports_to(dest_pairs, origins, importers, k):
    for _ in range(k):
        origin = rng.choice(origins)
        pool = suppliers.get(origin) or [c for c in us_importers if c["certs"]]
        exp = rng.choice(pool)
        d = rand_date(START, END)
        sid = ship(origin, weighted(dest_pairs), d)
        rows["shipment_exporter"].append([sid, exp["id"]])
        rows["shipment_importer"].append([sid, rng.choice(importers)["id"]])
        if exp["certs"] and rng.random() < 0.8:
            rows["declared_aeo_id"].append([sid, exp["certs"][0][0]])

exports_to([("DE", 3), ("NL", 3), ("FR", 2), ("IT", 1), ("ES", 1)], ["US", "CN", "JP", "GB", "KR", "NZ", "VN"], eu_importers, 300)
exports_to([("CN", 1)], ["DE", "FR", "IT", "NL", "NZ", "KR", "JP"], other_importers["CN"], 120)
exports_to([("JP", 1)], ["DE", "IT", "US", "KR", "CN", "TW", "NZ"], other_importers["JP"], 100)
exports_to([("MX", 1)], ["US", "KR", "CO", "PE", "CN"], other_importers["MX"], 100)
exports_to([("KR", 1)], ["MX", "US", "CN", "JP"], other_importers["KR"], 60)
exports_to([("CA", 1)], ["US", "MX", "CN"], other_importers["CA"], 60)
exports_to([("GB", 1)], ["DE", "FR", "US", "CN"], other_importers["GB"], 60)

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data.json")
with open(path, "w") as f:
    f.write("{\n")
    names = [k for k in rows]
    for i, k in enumerate(names):
        f.write(f'  "{k}": [\n')
        f.write(",\n".join("    " + json.dumps(r, ensure_ascii=False) for r in rows[k]))
        f.write("\n  ]" + (",\n" if i < len(names) - 1 else "\n"))
    f.write("}\n")
print(f"{len(rows['company'])} companies, {len(rows['certification'])} certification rows, {len(rows['shipment'])} shipments -> {path}")
