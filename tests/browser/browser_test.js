// Browser test of the web catalogue: the system's Chromium, headless, driven by playwright-core.
//
//   node browser_test.js URL_A URL_B SCREENSHOT_DIR
//
// URL_A is node A's catalogue (sample records published there), URL_B the catalogue of a node
// B that syncs with A and trusts it. The test opens A's home page, searches a word typed
// without its accents, opens a result, publishes a REX through the form (about a use case
// picked from the catalogue), finds it in A's list, then waits for it in B's catalogue; then
// it expresses B's interest in A's call through the form and reads it on A's call page once
// synced, comments and replies there; it publishes a methodology with the keyboard only (Tab, typing, Space, Enter), and runs
// axe-core on every kind of page (home, catalogue, search, a record of each type, territory,
// network, the publish forms, the accessibility statement, the legal notice, an error page, in
// French and in English): no serious or critical violation. A screenshot of each page is saved
// in SCREENSHOT_DIR. Any console error (a CSP violation included) fails the test. Exit 0 when
// every step passed.
'use strict';

const path = require('path');
const fs = require('fs');
const { chromium } = require('playwright-core');

const AXE = require.resolve('axe-core/axe.min.js');

const [urlA, urlB, shots] = process.argv.slice(2);
if (!urlA || !urlB || !shots) {
  console.error('usage: node browser_test.js URL_A URL_B SCREENSHOT_DIR');
  process.exit(2);
}
fs.mkdirSync(shots, { recursive: true });

function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
  console.log('ok - ' + what);
}

async function shot(page, name) {
  const file = path.join(shots, name + '.png');
  await page.screenshot({ path: file, fullPage: true });
  console.log('   screenshot ' + file);
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.MAILLE_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // the sandbox needs user namespaces, which containers and root runs often lack
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  const errors = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'fr-FR' });
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));

    // home: counts, latest entries, a search box
    await page.goto(urlA);
    check((await page.textContent('h1')).includes('Catalogue des territoires'), 'home page title');
    await page.waitForSelector('text=Par thème', { timeout: 20000 }).catch(() => {});
    check(await page.isVisible('#q-home'), 'a search box on the home page');
    // keyboard: the first Tab reaches the skip link
    await page.keyboard.press('Tab');
    check((await page.evaluate(() => document.activeElement && document.activeElement.textContent))
      === 'Aller au contenu', 'the first Tab focuses the skip link');
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input,select,textarea')]
      .filter((e) => e.type !== 'hidden' && !(e.id && document.querySelector(`label[for="${e.id}"]`)))
      .length);
    check(unlabelled === 0, 'every field of the home page has a label');
    await shot(page, '01-home');

    // search a word typed without its accents
    await page.fill('#q-home', 'evaluation impact');
    await Promise.all([page.waitForNavigation(), page.press('#q-home', 'Enter')]);
    check(page.url().includes('/search?q=evaluation+impact'), 'the search page');
    const marks = await page.$$eval('mark', (ms) => ms.map((m) => m.textContent.toLowerCase()));
    check(marks.some((t) => t.startsWith('évaluation')), 'the accented word is highlighted: ' + marks.slice(0, 3).join(', '));
    await shot(page, '02-search');

    // open a result
    const first = page.locator('.cards .card h3 a').first();
    const title = (await first.textContent()).trim();
    await Promise.all([page.waitForNavigation(), first.click()]);
    check((await page.textContent('h1')).trim() === title, 'the entry page of "' + title + '"');
    // the content leads; the provenance comes last, folded, and opens on demand
    check(!(await page.isVisible('text=signature vérifiée')), 'provenance folded at first');
    await page.click('details.prov summary');
    check(await page.isVisible('text=signature vérifiée'), 'provenance, opened: signature verified');
    await shot(page, '03-entry');

    // publish a REX through the form
    await page.goto(urlA + 'publish');
    await Promise.all([page.waitForNavigation(), page.click('a[href="/publish?type=rex"]')]);
    const rexTitle = 'Bilan du registre des algorithmes ' + Date.now().toString(36);
    await page.fill('#f-title', rexTitle);
    await page.fill('#f-summary', "Un an de registre public des algorithmes : ce qui a marché, ce qui reste à faire.");
    await page.fill('#f-description', "## Bilan\n\nLe registre est **consulté** par les associations d'usagers.");
    await page.check('input[name="themes"][value="transparence-algorithmes"]');
    await page.selectOption('#f-status', 'production');
    await page.fill('#f-keywords', 'registre, transparence');
    // about: search the catalogue from within the form, then tick the use case found
    await page.fill('#f-about_q', 'inscription creche');
    await Promise.all([page.waitForNavigation(), page.click('button[value="find"]')]);
    check(await page.inputValue('#f-title') === rexTitle, 'the typed fields survive the search in the form');
    const about = page.locator('input[name="about"][value="use_case/attribution-des-places-en-creche"]');
    check(await about.count() === 1, 'the use case is offered in the form');
    await about.check();
    await page.selectOption('#f-declaration', 'user');
    await page.fill('#f-period\\.start', '2025-01-15');
    await page.fill('#f-context', 'La loi impose de publier les principales règles des traitements algorithmiques.');
    await page.fill('#f-objectives', 'Rendre le registre lisible pour tous les habitants.');
    await page.fill('#f-what_was_done', 'Un inventaire, des fiches rédigées avec les services, une page publique.');
    await page.fill('#f-difficulties', "Identifier les traitements quand ils sont dans des logiciels d'éditeurs.");
    await page.fill('#f-lessons_learned', 'Commencer par les traitements qui touchent le plus de monde.');
    await shot(page, '04-publish-form');
    await Promise.all([page.waitForNavigation(), page.click('button[value="publish"]')]);
    check((await page.textContent('h1')).trim() === rexTitle, 'published: its entry page');
    const rexUrl = page.url();
    check(await page.isVisible('a:has-text("Attribution des places en crèche")'), 'the about relation is a link');
    await shot(page, '05-published');

    // find it in the list
    await page.goto(urlA + 'catalogue?type=rex');
    check(await page.isVisible(`.cards a:has-text("${rexTitle}")`), 'the new REX in the catalogue list');
    await shot(page, '06-catalogue');
    await page.goto(urlA + 'network');
    await shot(page, '07-network');

    // and on the second node, once synced
    const pb = await context.newPage();
    pb.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    const deadline = Date.now() + 30000;
    let seen = false;
    while (!seen && Date.now() < deadline) {
      await pb.goto(urlB + 'catalogue?type=rex');
      seen = await pb.isVisible(`.cards a:has-text("${rexTitle}")`);
      if (!seen) await pb.waitForTimeout(250);
    }
    check(seen, "the new REX in the second node's catalogue");
    await shot(pb, '08-node-b-catalogue');

    await cooperation(context, errors);
    await keyboardPublish(page);
    await accessibility(browser, urlA, rexUrl);
    check(errors.length === 0, 'no console error (CSP included): ' + errors.join(' | '));
  } finally {
    await browser.close();
  }
}

// Cooperation: on B, "Nous en sommes" on A's call through the form; once synced, A's call page
// lists B with its role; on A, a comment on the call and a reply to it, indented.
const CALL = 'entry/call/transcription-des-seances';
async function cooperation(context, errors) {
  const pb = await context.newPage();
  pb.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  let offered = false;
  for (const deadline = Date.now() + 30000; !offered && Date.now() < deadline;) {
    const resp = await pb.goto(urlB + CALL);
    offered = resp.status() === 200 && await pb.isVisible('#i-role');
    if (!offered) await pb.waitForTimeout(250);
  }
  check(offered, "the \"Nous en sommes\" form on B's page of A's call");
  await pb.selectOption('#i-role', 'tester');
  await pb.fill('#i-message', 'Nous pouvons *tester* sur nos conseils de quartier.');
  await pb.fill('#i-contact', 'numerique@exemple-lyon.fr');
  await Promise.all([pb.waitForNavigation(), pb.click('form[action="/interest"] button')]);
  check(await pb.isVisible('.interests >> text=Testeur'), "B's interest on B's page of the call");
  await shot(pb, '09-node-b-interest');

  const pa = await context.newPage();
  pa.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  let seen = false;
  for (const deadline = Date.now() + 30000; !seen && Date.now() < deadline;) {
    await pa.goto(urlA + CALL);
    seen = await pa.isVisible('.interests >> text=Métropole de Lyon');
    if (!seen) await pa.waitForTimeout(250);
  }
  check(seen, "B's interest on A's call page, once synced");
  check((await pa.innerHTML('.interests')).includes('<em>tester</em>'), 'its message in limited Markdown');
  await pa.fill('#t-record', 'Quel **calendrier** envisagez-vous ? Voir [le cahier](https://exemple.fr/cahier).');
  await Promise.all([pa.waitForNavigation(), pa.click('form[action="/comment"]:has(#t-record) button')]);
  check(await pa.isVisible('.thread li.d0 strong:has-text("calendrier")'), 'a comment in the thread');
  await pa.click('.thread li.d0 details.reply summary');
  await pa.fill('.thread li.d0 details.reply textarea', 'Le budget est voté en mars.');
  await Promise.all([pa.waitForNavigation(), pa.click('.thread li.d0 details.reply button')]);
  check(await pa.isVisible('.thread li.d1 >> text=Le budget est voté en mars.'), 'the reply, one level in');
  await shot(pa, '10-call-thread');
  await pa.goto(urlA + 'cooperation');
  check(await pa.isVisible('.calls >> text=Métropole de Lyon'), 'the interested territory on /cooperation');
  await shot(pa, '11-cooperation');
  await pa.close();
  await pb.close();
}

// Publishes a methodology with the keyboard only: Tab from the top of the form page to each
// field, typing, Space on the check boxes, typing in a list to choose, Enter on the button.
async function keyboardPublish(page) {
  await page.goto(urlA + 'publish?type=methodology');
  const title = 'Méthode publiée au clavier ' + Date.now().toString(36);
  const plan = {
    'f-title': { type: title },
    'f-summary': { type: 'Une méthode saisie sans souris, pour vérifier que le formulaire se remplit au clavier.' },
    'f-description': { type: 'Chaque champ est atteint avec la touche Tab.' },
    'f-themes-8': { press: 'Space' },
    'f-method_kind': { type: 'Grille' },
    'f-covers-0': { press: 'Space' },
  };
  const done = new Set();
  let submitted = false;
  for (let i = 0; i < 120 && !submitted; i++) {
    await page.keyboard.press('Tab');
    const el = await page.evaluate(() => {
      const a = document.activeElement;
      return a ? { id: a.id, tag: a.tagName, value: a.value || '', name: a.name || '' } : {};
    });
    const step = plan[el.id];
    if (step && !done.has(el.id)) {
      done.add(el.id);
      if (step.type) await page.keyboard.type(step.type);
      if (step.press) await page.keyboard.press(step.press);
    }
    if (el.tag === 'BUTTON' && el.value === 'publish') {
      check(done.size === Object.keys(plan).length, 'every field of the plan reached with Tab: ' + [...done].join(', '));
      check(await page.inputValue('#f-method_kind') === 'assessment_grid', 'a list chosen by typing');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      submitted = true;
    }
  }
  check(submitted, 'the publish button reached with Tab');
  check((await page.textContent('h1')).trim() === title, 'published with the keyboard only: its record page');
}

// axe-core on every kind of page, in a context of its own that lets the test inject axe (the
// pages' Content-Security-Policy forbids scripts; the other context keeps it and fails on any
// violation of it): no serious or critical violation.
async function accessibility(browser, base, rexUrl) {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'fr-FR', bypassCSP: true });
  const page = await ctx.newPage();
  await page.goto(base + 'network');
  const territory = await page.getAttribute('a[href^="/territory/"]', 'href');
  const pages = [
    ['home', ''],
    ['catalogue', 'catalogue'],
    ['catalogue filtered', 'catalogue?type=rex&theme=transparence-algorithmes'],
    ['search results', 'search?q=evaluation+impact'],
    ['search without result', 'search?q=zzzqqq'],
    ['use case', 'entry/use_case/attribution-des-places-en-creche'],
    ['methodology', 'entry/methodology/grille-evaluation-impact-algorithmique'],
    ['component', 'entry/component/registre-des-algorithmes'],
    ['REX (sample, every field)', 'entry/rex/2025-chatbot-rh'],
    ['REX (published from the form)', rexUrl.slice(base.length)],
    ['territory', territory.slice(1)],
    ['cooperation', 'cooperation'],
    ['call with its interests and thread', CALL],
    ['publish: call', 'publish?type=call'],
    ['publish: label', 'publish?type=label'],
    ['network', 'network'],
    ['publish: choice of type', 'publish'],
    ['publish: REX', 'publish?type=rex'],
    ['publish: use case', 'publish?type=use_case'],
    ['publish: component', 'publish?type=component'],
    ['publish: methodology', 'publish?type=methodology'],
    ['accessibility statement', 'accessibilite'],
    ['legal notice', 'mentions-legales'],
    ['error page', 'entry/rex/cette-fiche-n-existe-pas'],
  ];
  const bad = [];
  for (const lang of ['fr', 'en']) {
    await page.goto(base + 'lang/' + lang + '?next=/');
    for (const [name, rel] of pages) {
      const resp = await page.goto(base + rel);
      const want = name === 'error page' ? 404 : 200;
      if (resp.status() !== want) bad.push(`${lang} ${name}: HTTP ${resp.status()}, not ${want}`);
      await page.addScriptTag({ path: AXE });
      const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
      const serious = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      for (const v of serious)
        bad.push(`${lang} ${name}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
      console.log(`   axe ${lang} ${name}: ${res.violations.length} violation(s), ${serious.length} serious or critical`);
    }
  }
  // the checker itself finds a fault: an image without a text alternative (critical)
  await page.goto(base);
  await page.addScriptTag({ path: AXE });
  const probe = await page.evaluate(() => {
    const img = document.createElement('img');
    img.src = '/favicon.ico';
    document.querySelector('main').appendChild(img);
    return window.axe.run(document, { resultTypes: ['violations'] });
  });
  check(probe.violations.some((v) => v.id === 'image-alt' && v.impact === 'critical'),
    'axe-core reports a planted fault (an image without alt)');
  check(bad.length === 0, 'axe-core: no serious or critical violation on any page\n  ' + bad.join('\n  '));
  await ctx.close();
}

main().then(() => process.exit(0), (e) => {
  console.error('not ok - ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
