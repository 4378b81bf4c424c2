/** Entry point of the admin UI bundle: defines every element; `<tw-app>` in index.html starts it. */
import './components/tw-app.ts';
