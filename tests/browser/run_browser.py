#!/usr/bin/env python3
"""Runs the browser test (browser_test.js) against two real nodes.

Usage: run_browser.py MAILLE_BINARY SCREENSHOT_DIR

Sets up node A (sample records, a call to cooperate) and node B (same federation, A and B
trust each other, A is B's peer), starts
both daemons with their web catalogue on ephemeral ports, runs the test in headless Chromium,
then stops the daemons (each must exit 0 on SIGTERM). Exit 77 (skipped) when Node.js or
Chromium is not installed at all, or when ./tools/test could not reach the npm registry (its
reason in .npm-failed, printed); node_modules missing for any other reason (npm ci never run)
is a failure: ./tools/test installs everything."""
import os
import shutil
import subprocess
import sys
import tempfile

import harness
from harness import WebDaemon

HERE = os.path.dirname(os.path.abspath(__file__))

SAMPLES = {
    "uc-creche.md": """---
type: use_case
path: use_case/attribution-des-places-en-creche
title: Attribution des places en crèche
summary: Un barème à points aide la commission à classer les demandes d'inscription en crèche.
themes: [transparence-algorithmes, ia-democratie]
keywords: [petite enfance, barème]
status: production
purpose: Classer les demandes d'inscription en crèche selon des critères publiés.
decision_process: La commission d'attribution décide ; le barème prépare un classement.
automation_level: decision_support
algorithm_type: rule_based
individual_decisions: true
legal_basis: ["Code des relations entre le public et l'administration, L311-3-1"]
recourse: Recours gracieux auprès du maire, puis recours contentieux.
affected_public: Les familles qui demandent une place en crèche municipale.
human_oversight: Chaque classement est relu et peut être modifié par la commission.
risks: [{name: Critère discriminant, description: Un critère défavorise certaines familles, mitigation: Revue annuelle du barème avec le Défenseur des droits}]
data_sources: [{name: Dossiers d'inscription, personal_data: identified}]
---
Le barème et son évaluation d'impact sont publiés sur le site de la ville.
""",
    "meth-grille.md": """---
type: methodology
path: methodology/grille-evaluation-impact-algorithmique
title: Grille d'évaluation d'impact algorithmique
summary: Une grille en vingt questions pour évaluer l'impact d'un algorithme public avant son déploiement.
themes: [transparence-algorithmes, ia-democratie]
status: production
method_kind: assessment_grid
covers: [impact_assessment, transparency]
---
La grille se remplit en atelier, avec le service métier et le délégué à la protection des données.
""",
    "call-transcription.md": """---
type: call
path: call/transcription-des-seances
title: Mutualiser un assistant de transcription des séances
summary: Nous cherchons des territoires pour co-développer un outil libre de transcription des conseils.
themes: [ia-democratie]
status: open
cooperation: co_development
need: Transcrire et résumer les séances du conseil pour les publier sous huit jours.
contributions: [{kind: skills, description: Un développeur deux jours par semaine pendant six mois.}]
deadline: 2027-03-31
---
Un appel ouvert aux communes et intercommunalités de la région.
""",
    "comp-registre.md": """---
type: component
path: component/registre-des-algorithmes
title: Registre des algorithmes publics
summary: Un logiciel libre pour publier l'inventaire des traitements algorithmiques d'une collectivité.
themes: [transparence-algorithmes, logiciel-libre]
status: production
component_kind: software
licence: AGPL-3.0-or-later
repository_url: https://forge.exemple.fr/collectivites/registre-algorithmes
---
Un générateur de site statique à partir de fiches au format du registre.
""",
}


ok = harness.Case.ok


def main():
    harness.MAILLE = sys.argv[1]
    shots = sys.argv[2]
    chromium = os.environ.get("MAILLE_CHROMIUM", "/usr/bin/chromium")
    node = shutil.which("node")
    if not node or not os.path.exists(chromium):
        print(f"skipped: needs node ({node or 'missing'}) and {chromium}", file=sys.stderr)
        return 77
    failed = os.path.join(HERE, ".npm-failed")
    if not os.path.isdir(os.path.join(HERE, "node_modules", "playwright-core")) and \
            os.path.exists(failed):
        # ./tools/test tried and the npm registry could not be reached: not the project's
        # failure, and said so in the summary (skipped) rather than hidden
        with open(failed, encoding="utf-8", errors="replace") as f:
            why = f.read().strip()
        print(f"skipped: npm could not install playwright-core: {why}", file=sys.stderr)
        return 77
    if not os.path.isdir(os.path.join(HERE, "node_modules", "playwright-core")):
        print("tests/browser/node_modules is missing: run `npm ci` in tests/browser "
              "(./tools/test does it)", file=sys.stderr)
        return 1
    tmp = tempfile.mkdtemp(prefix="maille-browser-")
    daemons = []
    try:
        a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
        ok(a, "init", "--name", "Ville de Villeurbanne", "--siren", "216902643", "--kind",
           "commune")
        ok(b, "init", "--name", "Métropole de Lyon", "--siren", "200046977", "--kind", "metropole")
        ok(a, "federation", "new", "--name", "Coalition IA responsable")
        fed = os.path.join(tmp, "fed.export")
        ok(a, "federation", "export", fed)
        ok(b, "federation", "import", fed)
        for name, text in SAMPLES.items():
            p = os.path.join(tmp, name)
            with open(p, "w", encoding="utf-8") as f:
                f.write(text)
            ok(a, "publish", p)
        # a REX with every field (nested ones too), for the page test and axe-core
        ok(a, "publish", os.path.join(HERE, "..", "..", "tools", "samples", "rex-chatbot-rh.md"))
        import json
        key_a = json.loads(ok(a, "whoami", "--json"))["key"]
        ok(b, "trust", key_a)
        # A trusts B too: B's interest in A's call shows on A's page
        ok(a, "trust", json.loads(ok(b, "whoami", "--json"))["key"])
        da = WebDaemon(a)
        daemons.append(da)
        db = WebDaemon(b)
        daemons.append(db)
        ok(b, "peer", "add", da.addr)
        p = subprocess.run([node, os.path.join(HERE, "browser_test.js"), f"http://{da.web}/",
                            f"http://{db.web}/", shots], cwd=HERE, timeout=240)
        rc = p.returncode
        for d in daemons:
            d.stop()
        daemons = []
        return 0 if rc == 0 else 1
    finally:
        for d in daemons:
            d.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
