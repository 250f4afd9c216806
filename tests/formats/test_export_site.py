#!/usr/bin/env python3
"""`maille export --format site`: a static site of chosen records (a territory's public
algorithm inventory), plain HTML with no script, in French, the web catalogue's stylesheet;
every link between its pages resolves to a file of the site; a non-public contact's address
is nowhere; a record of the site links to another as a relative file.

Usage: test_export_site.py MAILLE_BINARY SAMPLES_DIR"""
import html.parser
import os
import sys
import unittest
import urllib.parse

import harness
from importcase import samples_copy

SAMPLES = None


class Page(html.parser.HTMLParser):
    """The links, the scripts and the open tags of one page (void elements aside)."""
    VOID = {"meta", "link", "br", "img", "input", "hr"}

    def __init__(self):
        super().__init__()
        self.links, self.scripts, self.stack, self.errors, self.text = [], 0, [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" or any(k.startswith("on") for k in a):
            self.scripts += 1
        if "href" in a:
            self.links.append(a["href"])
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


class ExportSite(harness.Case):
    @classmethod
    def setUpClass(cls):
        cls.begin("maille-export-site-")
        cls.dir = cls.path("node")
        cls.ok(cls.dir, "init", "--name", "Ville de Vanves", "--siren", "219200755",
               "--kind", "commune")
        src = samples_copy(SAMPLES, cls.path("samples"))
        # one contact made private: its address must not reach the site
        cls.write("samples/zz-prive.md", PRIVATE)
        cls.ok(cls.dir, "import", "markdown", src)
        cls.records = cls.js(cls.dir, "list")

    @classmethod
    def tearDownClass(cls):
        cls.end()

    def site(self, *args):
        out = self.path("site-" + "-".join(a.strip("-") for a in args))
        rc, _, err = self.m(self.dir, "export", "--format", "site", "--out", out, *args)
        self.assertEqual(rc, 0, err)
        return out

    def pages(self, root):
        for d, _, files in os.walk(root):
            for f in files:
                if f.endswith(".html"):
                    yield os.path.join(d, f)

    def test_inventory_of_use_cases(self):
        root = self.site("--mine", "--type", "use_case")
        use_cases = [r for r in self.records if r["type"] == "use_case"]
        files = sorted(os.path.relpath(p, root) for p in self.pages(root))
        self.assertEqual(files, sorted(["index.html"] + [r["path"] + ".html" for r in use_cases]))
        self.assertTrue(os.path.exists(os.path.join(root, "maille.css")))
        with open(os.path.join(root, "index.html"), encoding="utf-8") as f:
            index = f.read()
        self.assertIn('<html lang="fr">', index)
        self.assertIn("Inventaire des algorithmes publics", index)
        for r in use_cases:
            self.assertIn(r["path"] + ".html", index)

    def test_pages_are_plain_html_and_links_resolve(self):
        root = self.site()
        n = 0
        for p in self.pages(root):
            with open(p, encoding="utf-8") as f:
                text = f.read()
            page = Page()
            page.feed(text)
            page.close()
            self.assertEqual(page.scripts, 0, p)
            self.assertEqual(page.errors, [], p)
            self.assertEqual(page.stack, [], p)
            self.assertNotIn("agent.prive@", text, p)
            for href in page.links:
                u = urllib.parse.urlparse(href)
                if u.scheme in ("http", "https", "mailto") or href.startswith("#"):
                    continue
                # every other link is a file of the site, never the web catalogue's /entry/
                self.assertFalse(href.startswith("/"), f"{p}: {href}")
                target = os.path.normpath(os.path.join(os.path.dirname(p),
                                                       urllib.parse.unquote(u.path)))
                self.assertTrue(os.path.exists(target), f"{p}: {href}")
                n += 1
        self.assertGreater(n, len(self.records))
        # a REX about a use case of the site links to its page
        with open(os.path.join(root, "rex", "2025-chatbot-rh.html"), encoding="utf-8") as f:
            self.assertIn('href="../use_case/assistant-conversationnel-rh-pour-les-agents.html"',
                          f.read())

    def test_needs_a_folder(self):
        err = self.fails(self.dir, "export", "--format", "site", rc=2)
        self.assertIn("--format site needs --out DIR", err)


PRIVATE = """---
type: use_case
title: Orientation des demandes de logement d'urgence
summary: Un barème oriente les demandes vers le bon service.
themes: [transparence-algorithmes]
status: pilot
purpose: Orienter plus vite les demandes urgentes.
decision_process: Un agent valide chaque orientation proposée.
automation_level: decision_support
algorithm_type: rule_based
individual_decisions: false
affected_public: Personnes sans logement qui appellent le service.
human_oversight: Chaque orientation est relue par un agent.
risks:
  - name: Erreur d'orientation
    description: Une demande urgente part vers un service qui ne peut pas la traiter.
    mitigation: Relecture systématique par un agent.
data_sources:
  - name: Formulaire d'appel
    personal_data: identified
contacts:
  - name: Agent du service
    email: agent.prive@exemple-vanves.fr
    public: false
---
Le barème est public et révisé chaque année.
"""

if __name__ == "__main__":
    harness.MAILLE = os.path.abspath(sys.argv[1])
    SAMPLES = sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v"])
