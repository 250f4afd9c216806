"""What the suites of the outside formats share: a node of a territory, the drafts an import
writes, their required fields filled in the Markdown as a person would, their publishing, and
the round trip of the published records through `export --format markdown` into another node."""
import os
import re
import shutil

import harness


def samples_copy(samples, dst):
    """The catalogue records of tools/samples (its top level: not the acts' folder, not its
    README) copied into the new folder dst; dst."""
    os.makedirs(dst)
    for name in sorted(os.listdir(samples)):
        if name.endswith(".md") and name != "README.md":
            shutil.copy(os.path.join(samples, name), dst)
    return dst


class ImportCase(harness.Case):
    FORMAT = None  # the format under test, as on the command line

    def setUp(self):
        self.begin("maille-import-%s-" % self.FORMAT)
        self.dir = self.path("node")
        self.ok(self.dir, "init", "--name", "Métropole de Lyon", "--siren", "200046977",
                "--kind", "metropole")

    def tearDown(self):
        self.end()

    def drafts(self, src, out):
        """The drafts of src written into out: {path: Markdown text}, and the JSON report."""
        rep = self.js(self.dir, "import", self.FORMAT, src, "--out", out)
        texts = {}
        for r in rep["records"]:
            with open(r["file"], encoding="utf-8") as f:
                texts[r["path"]] = f.read()
        return texts, rep

    def issues(self, rep, i=0):
        return [(x["field"], x["kind"], x["message"]) for x in rep["records"][i]["issues"]]

    def edit(self, out, fields, more=()):
        """Every draft of out with its empty fields (`key:` alone on its line) given the values
        of fields, then the (pattern, replacement) pairs of more applied."""
        for name in os.listdir(out):
            p = os.path.join(out, name)
            with open(p, encoding="utf-8") as f:
                t = f.read()
            for k, v in fields.items():
                t = re.sub(r"^%s:$(?!\n )" % k, "%s: %s" % (k, v), t, flags=re.M)
            for pattern, repl in more:
                t = re.sub(pattern, repl, t, flags=re.M)
            with open(p, "w", encoding="utf-8") as f:
                f.write(t)

    def publish_folder(self, out):
        rep = self.js(self.dir, "import", "markdown", out)
        self.assertEqual(rep["incomplete"], 0, rep)
        return rep

    def body(self, path):
        return self.js(self.dir, "show", path)["body"]

    def round_trip(self, n):
        """This node's records exported as Markdown and imported by another territory's node:
        the same n records, field for field."""
        paths = sorted(r["path"] for r in self.js(self.dir, "list"))
        self.assertEqual(len(paths), n)
        before = {p: self.body(p) for p in paths}
        self.ok(self.dir, "export", "--format", "markdown", "--out", self.path("export"))
        other = self.path("other")
        self.ok(other, "init", "--name", "Ville de Vanves", "--siren", "219200755",
                "--kind", "commune")
        rep = self.js(other, "import", "markdown", self.path("export"))
        self.assertEqual(rep["published"], n)
        for p in paths:
            self.assertEqual(self.js(other, "show", p)["body"], before[p])
