// Shows the screen for the address and hands it to its module.

const PAGES = {
  '/admin/': 'dashboard',
  '/admin/login': 'login',
  '/admin/invitation': 'invitation',
  '/admin/targets': 'targets',
  '/admin/people': 'people',
  '/admin/staff': 'staff',
  '/admin/audit': 'audit',
  '/admin/export': 'export',
};

// A target's page: /admin/targets/{symbol}-{number}-{id}. The API decides whether it is one of the union's.
const TARGET_PAGE = /^\/admin\/targets\/[0-9A-Za-z-]{1,80}$/;

const name = PAGES[location.pathname] || (TARGET_PAGE.test(location.pathname) ? 'target' : 'not-found');
const section = document.querySelector(`section[data-page="${name}"]`);
document.title = `${section.dataset.title} | 被扶養者資格調査 管理画面`;
const reveal = () => {
  document.getElementById('page-loading').hidden = true;
  section.hidden = false;
};
// A signed-in member's screen is shown once filled in from the API, so that nothing on it moves
// while it fills (the loading note stands in until then); sign-in and the invitation at once.
const SHOWN_AT_ONCE = new Set(['login', 'invitation', 'not-found']);
if (SHOWN_AT_ONCE.has(name)) {
  reveal();
}
if (name !== 'not-found') {
  const page = await import(`./pages/${name}.js`);
  try {
    await page.start(section);
  } finally {
    reveal();
  }
}
