// Shows the screen for the address and hands it to its module.

const PAGES = {
  '/portal/': 'login',
  '/portal/signup': 'signup',
  '/portal/terms': 'terms',
  '/portal/contact': 'contact',
  '/portal/home': 'home',
  '/portal/settings': 'settings',
  '/portal/forgot-password': 'forgot-password',
  '/portal/forgot-id': 'forgot-id',
};

// A dependent's page: /portal/survey/{id}. The API decides whether the id is one of the person's.
const SURVEY_PAGE = /^\/portal\/survey\/[A-Za-z0-9]{1,64}$/;

const name = PAGES[location.pathname] || (SURVEY_PAGE.test(location.pathname) ? 'survey' : 'not-found');
const section = document.querySelector(`section[data-page="${name}"]`);
document.title = `${section.dataset.title} | 被扶養者資格調査`;
const reveal = () => {
  document.getElementById('page-loading').hidden = true;
  section.hidden = false;
};
// A page whose content comes from the API is shown once it is filled in, so that nothing on it
// moves while it fills (the loading note stands in until then); the others at once.
const SHOWN_WHEN_FILLED = new Set(['signup', 'terms', 'contact', 'home', 'survey', 'settings']);
if (!SHOWN_WHEN_FILLED.has(name)) {
  reveal();
}
if (name !== 'not-found') {
  const page = await import(`./pages/${name}.js`);
  try {
    await page.start(section);
  } finally {
    reveal();
  }
  // What needs the screen in view (focus, scrolling) waits until it is shown.
  page.shown?.(section);
}
