#!/usr/bin/env python3
"""Generates policies/tests/effective_dates.accord from facts.yaml: for every arrangement direction, a
test that the partner member is not recognised the day before the direction takes effect and is
recognised on its first day. The expected first day is computed here from the record (its `effective`
date, per direction where the record splits them, else its `signed` date) with convention C5's
rounding, independently of the library's rules.

Usage: python3 policies/tests/generate_effective_dates.py [path/to/facts.yaml]
(default: ../shared/domain/facts.yaml next to the repository).
"""
import datetime
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
FACTS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared", "domain", "facts.yaml")

def fixno(x):
    """YAML reads the country code NO as false."""
    if x is False:
        return "NO"
    if isinstance(x, list):
        return [fixno(i) for i in x]
    if isinstance(x, dict):
        return {fixno(k): fixno(v) for k, v in x.items()}
    return x

D = fixno(yaml.safe_load(open(FACTS)))
# the programme each administration's members hold (policies/programs/*.accord)
PROG = {'US':'US-CTPAT','NZ':'NZ-SES','CA':'CA-PIP','JO':'JO-GOLDEN-LIST','JP':'JP-AEO','KR':'KR-AEO','EU':'EU-AEO',
 'TW':'TW-AEO','IL':'IL-AEO','MX':'MX-NEEC-OEA','SG':'SG-STP','DO':'DO-AEO','PE':'PE-OEA','GB':'UK-AEO','IN':'IN-AEO',
 'UY':'UY-OEC','BR':'BR-OEA','GT':'GT-OEA','CO':'CO-OEA','CH':'CH-AEO','NO':'NO-AEO','AD':'AD-AEO','MD':'MD-AEO',
 'CN':'CN-AEO','CL':'CL-OEA','AU':'AU-ATT','BY':'BY-AEO','MY':'MY-AEO','HK':'HK-AEO','TH':'TH-AEO','EG':'EG-AEO',
 'MA':'MA-AEO','TN':'TN-AEO'}
# list records expanded into one arrangement per pair (policies/mras/tw.accord, jo.accord)
DERIVED = {
 'TW-OTHERS': [('TW-SG',['TW','SG'],'2013-07'),('TW-IL',['TW','IL'],'2013-12'),('TW-KR',['TW','KR'],'2015-12'),
               ('TW-IN',['TW','IN'],'2018-12'),('TW-NZ',['TW','NZ'],'2020-12'),('TW-GT',['TW','GT'],'2021-05')],
 'JO-AGADIR': [('JO-EG',['JO','EG'],'2016-05'),('JO-MA',['JO','MA'],'2016-05'),('JO-TN',['JO','TN'],'2016-05')],
}
# directions the record excludes (policies/mras/us.accord)
ONE_WAY = {'US-JP': ('US', 'recognized_by_JP: at signing (2009) NOT applicable to imports into Japan, because CTPAT then had no export programme; no later widening on record')}

REC = {m['id']: m for m in D['mras']}
def first_date(v):
    v = str(v)
    m = re.search(r'(\d{4})-Q([1-4])', v)
    if m: return datetime.date(int(m.group(1)), 3*int(m.group(2))-2, 1), 'quarter'
    m = re.search(r'\d{4}-\d{2}-\d{2}', v)
    if m: return datetime.date.fromisoformat(m.group(0)), 'day'
    m = re.search(r'(\d{4})-(\d{2})', v)
    if m: return datetime.date(int(m.group(1)), int(m.group(2)), 1), 'month'
    m = re.search(r'\d{4}', v)
    if m: return datetime.date(int(m.group(0)), 1, 1), 'year'
    return None
def add_months(d, n):
    y, mo = divmod(d.month - 1 + n, 12)
    return datetime.date(d.year + y, mo + 1, 1)
def start(dp):
    d, p = dp
    return {'day': d, 'month': add_months(d, 1), 'quarter': add_months(d, 3), 'year': datetime.date(d.year + 1, 1, 1)}[p]
arrs = []  # (aid, rid, parties, signed, effective)
for rid, rec in REC.items():
    if rid in DERIVED:
        for aid, ps, sg in DERIVED[rid]: arrs.append((aid, rid, ps, sg, None))
    elif rid == 'IL-TW-US-order': continue
    else:
        sg = '2008-06-28' if rid == 'US-JO' else rec.get('signed')   # canonical date, facts.yaml discrepancies
        arrs.append((rid, rid, rec['parties'], sg, rec.get('effective')))
LEVEL = {('US-EU','US'):'AEOS', ('US-EU','EU'):'Tier 2', ('US-BR','US'):'OEA-S', ('US-GB','US'):'AEOS', ('US-JO','US'):'Golden List',
         ('EU-CN','CN'):'AEOS', ('EU-CN','EU'):'Advanced Certified', ('EU-GB','EU'):'AEOS', ('EU-GB','GB'):'AEOS',
         ('CN-AU','AU'):'Advanced Certified', ('CN-BY','BY'):'Advanced Certified', ('CN-BY','CN'):'third category'}
DEFAULT_LEVEL = {'US-CTPAT':'Tier 2','MX-NEEC-OEA':'OEA','EU-AEO':'AEOS','JP-AEO':'Authorized Exporter','KR-AEO':'AA',
 'JO-GOLDEN-LIST':'Golden List','TW-AEO':'AEOS','SG-STP':'STP','CN-AEO':'Advanced Certified','IN-AEO':'AEO-T2',
 'BR-OEA':'OEA-S','UK-AEO':'AEOS','BY-AEO':'third category'}
out = ["""// Every arrangement direction on the day before and the day it takes effect (conventions C5, C3 b).
// Generated from facts.yaml: the expected first day is computed from the record's `effective` (the
// first date in it, per direction where the record splits them) or else its `signed` date, with C5's
// rounding (a month counts from the 1st of the next month, a quarter from the day after it ends, a year
// likewise). Each test has one member of the partner programme, in scope, active, identified the way
// the destination identifies parties (MID on a U.S. entry, C6; declared AEO id elsewhere, C7), and two
// shipments: B the day before, D the first day.
"""]
n = 0
for aid, rid, parties, sg, eff in arrs:
    for into in parties:
        if aid in ONE_WAY and ONE_WAY[aid][0] != into: continue
        for frm in parties:
            if frm == into: continue
            prog = PROG[frm]
            if isinstance(eff, dict):
                key = f'into_{into}'; dp = first_date(eff[key])
            elif eff: dp = first_date(eff)
            elif sg: dp = first_date(sg)
            else: dp = None
            if dp is None: continue
            day = start(dp); before = day - datetime.timedelta(days=1)
            lvl = LEVEL.get((aid, into)) or DEFAULT_LEVEL.get(prog, 'member')
            role = 'manufacturer' if into == 'US' else 'exporter'
            cert = f'CERT-{frm}'
            lines = [f'test "{aid} into {into} (member of {prog}): not on {before}, recognised from {day}" {{',
                     f'  certification("{cert}", "P", "{prog}", "{lvl}", "{role}", 2000-01-01).',
                     f'  valid_until("{cert}", 2099-12-31).']
            for sid, d in (('B', before), ('D', day)):
                lines.append(f'  shipment("{sid}", "{frm}", "{into}", {d}).')
                if into == 'US':
                    lines.append(f'  entry_mid("{sid}", "MID-P").')
                else:
                    lines += [f'  shipment_exporter("{sid}", "P").', f'  declared_aeo_id("{sid}", "{cert}").']
            if into == 'US':
                lines.append('  mid("P", "MID-P").')
                if prog in ('EU-AEO', 'UK-AEO'): lines.append('  mid_link("P", "MID-P", 2000-01-01).')
            if prog == 'EU-AEO' or (prog == 'US-CTPAT' and into == 'EU'):
                lines.append(f'  consent("P", "{prog}", 2000-01-01).')
            lines += [f'  expect not recognised("B", "{aid}", "P", "{cert}").', f'  expect recognised("D", "{aid}", "P", "{cert}").', '}\n']
            out.append("\n".join(lines)); n += 1
out.append("""test "EU-MD has no date on record: never in force" {
  certification("CERT-MD", "P", "MD-AEO", "member", "exporter", 2000-01-01).
  shipment("X", "MD", "EU", 2025-06-01).
  shipment_exporter("X", "P").
  declared_aeo_id("X", "CERT-MD").
  expect undated_mra("EU-MD").
  expect recognised("X", v1, v2, v3) = { }.
  expect mra_gap("X", "P", "CERT-MD", "arrangement not yet in force on the shipment date").
}
""")
open(os.path.join(HERE, 'effective_dates.accord'), 'w').write("\n".join(out))
print(n + 1, "tests")
