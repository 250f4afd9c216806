#!/usr/bin/env python3
"""`maille show` for people: the record as its entry page reads, in the CLI's language: the
title, summary and description first, then the type's fields in the record table's order by
their labels, values by their labels (no raw vocabulary code), dates in long form in the node's
time zone (`timezone` in maille.conf), a period as one phrase, and the provenance last;
`maille list` names the type by its label; --json stays the machine format.

Usage: test_show.py MAILLE_BINARY"""
import datetime
import os
import re
import sys
import unittest

import harness

FR = {"LANG": "fr_FR.UTF-8"}
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")


def last_sunday(year, month):
    d = datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)
    return d - datetime.timedelta(days=(d.weekday() + 1) % 7)


def paris_offset(utc):
    """Europe/Paris's offset at a UTC instant, by the EU rule (summer time from the last
    Sunday of March to the last Sunday of October, at 01:00 UTC), without tzdata."""
    start = datetime.datetime.combine(last_sunday(utc.year, 3), datetime.time(1))
    end = datetime.datetime.combine(last_sunday(utc.year, 10), datetime.time(1))
    return datetime.timedelta(hours=2 if start <= utc.replace(tzinfo=None) < end else 1)


def long_form(local, french):
    """A local time as people read it: "7 décembre 2026 à 10 h 29" / "7 December 2026,
    10:29"."""
    if french:
        day = "1er" if local.day == 1 else str(local.day)
        return f"{day} {MONTHS_FR[local.month - 1]} {local.year} à {local.hour} h {local:%M}"
    return f"{local.day} {MONTHS_EN[local.month - 1]} {local.year}, {local:%H:%M}"


class TestShow(harness.Case):
    @classmethod
    def setUpClass(cls):
        cls.begin("maille-show-")
        cls.dir = cls.init("node", "Métropole de Lyon", kind="metropole")
        example = cls.ok(cls.dir, "new", "rex", "--example")
        cls.rec = cls.js(cls.dir, "publish", cls.write("rex.md", example))
        cls.path_ = cls.rec["path"]
        cls.shown = cls.js(cls.dir, "show", cls.path_)
        cls.utc = datetime.datetime.strptime(cls.shown["timestamp"][:19],
                                             "%Y-%m-%dT%H:%M:%S")

    @classmethod
    def tearDownClass(cls):
        cls.end()

    def show(self, env=None):
        return self.ok(self.dir, "show", self.path_, env=env)

    def test_french(self):
        out = self.show(FR)
        lines = out.splitlines()
        body = self.shown["body"]
        self.assertEqual(lines[0], body["title"]["fr"])
        # content first: the summary, then the description, indented
        self.assertEqual(lines[2], "    " + body["summary"]["fr"])
        i_desc = lines.index("    ## En résumé")
        # the fields by their labels, in the record table's order
        want = ["Période : du 1er mars 2024 au 1er mars 2025", "Note : 3 sur 4",
                "Recommandation : Recommandé sous conditions", "Statut : En production",
                "Licence du contenu : Licence Ouverte / Open Licence 2.0",
                "Langue : français", "Déclaration : Utilisateur"]
        for w in want:
            self.assertIn(w, lines)
        self.assertLess(i_desc, lines.index("Période : du 1er mars 2024 au 1er mars 2025"))
        self.assertLess(lines.index("Période : du 1er mars 2024 au 1er mars 2025"),
                        lines.index("Note : 3 sur 4"))
        self.assertLess(lines.index("Note : 3 sur 4"), lines.index("Statut : En production"))
        # nested members labelled, in their table's order; lists as items
        cost = lines.index("Coût :")
        self.assertEqual(lines[cost + 1:cost + 3],
                         ["    Montant : 68\u202f000", "    Devise : EUR"])
        ind = lines.index("Indicateurs :")
        self.assertEqual(lines[ind + 1], "    - Nom : " + body["indicators"][0]["name"])
        self.assertIn("      Référence : 1\u202f500", lines)
        self.assertIn("      Date : 28 février 2025", lines)
        themes = lines.index("Thèmes :")
        self.assertEqual(lines[themes + 1:themes + 3],
                         ["    - IA dans un monde incertain", "    - IA et démocratie"])
        self.assertIn("    - Niveau : Intercommunalité (EPCI)", lines)
        self.assertIn("    Ouvert à tous : non", lines)
        # no raw code where a label exists, no ISO date, no raw key of a known field
        for code in ("recommend_with_conditions", "etalab-2.0", "ia-democratie",
                     "ia-monde-incertain", "2024-03-01", "2025-02-28", "lessons_learned",
                     "cog_year", "amount"):
            self.assertNotIn(code, out)
        for ln in lines:
            self.assertNotRegex(ln, r": (production|user|epci|fr|true|false)$")
        # the provenance last, its date in long form in Europe/Paris
        self.assertEqual(lines[-1], "  signature : vérifiée")
        prov = lines.index("  chemin :    " + self.path_)
        self.assertGreater(prov, themes)
        self.assertIn("  type :      Retour d'expérience", lines)
        local = self.utc + paris_offset(self.utc)
        self.assertIn("  date :      " + long_form(local, True), lines)

    def test_english(self):
        lines = self.show().splitlines()
        for w in ("Period: from 1 March 2024 to 1 March 2025", "Rating: 3 out of 4",
                  "    Amount: 68,000", "Status: In production", "Language: French",
                  "Content licence: Licence Ouverte / Open Licence 2.0",
                  "  type:      Experience report", "  signature: verified"):
            self.assertIn(w, lines)
        local = self.utc + paris_offset(self.utc)
        self.assertIn("  date:      " + long_form(local, False), lines)

    def test_timezone(self):
        conf = os.path.join(self.dir, "maille.conf")
        with open(conf, encoding="utf-8") as f:
            before = f.read()
        try:
            with open(conf, "a", encoding="utf-8") as f:
                f.write("timezone = Pacific/Noumea\n")
            lines = self.show(FR).splitlines()
            # Nouméa is at UTC+11 all year: another hour than Paris's
            local = self.utc + datetime.timedelta(hours=11)
            self.assertIn("  date :      " + long_form(local, True), lines)
            paris = self.utc + paris_offset(self.utc)
            self.assertNotIn("  date :      " + long_form(paris, True), lines)
        finally:
            with open(conf, "w", encoding="utf-8") as f:
                f.write(before)

    def test_list_and_json(self):
        out = self.ok(self.dir, "list", env=FR)
        self.assertTrue(out.startswith("Retour d'expérience    " + self.path_), out)
        self.assertTrue(self.ok(self.dir, "list").startswith("Experience report      "))
        # the machine format keeps the codes and RFC 3339 UTC dates
        self.assertEqual(self.shown["body"]["period"], {"start": "2024-03-01",
                                                        "end": "2025-03-01"})
        self.assertEqual(self.shown["body"]["status"], "production")
        self.assertRegex(self.shown["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
        self.assertEqual(self.js(self.dir, "show", self.path_), self.shown)


if __name__ == "__main__":
    harness.MAILLE = os.path.abspath(sys.argv[1])
    unittest.main(argv=[sys.argv[0], "-v"])
