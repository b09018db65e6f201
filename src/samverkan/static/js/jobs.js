/* A job's page (jobs/detail.html) while it polls its progress (htmx). When a job that makes a
 * file to download (a document rendered for its reader) turns to done, the panel swapped in
 * holds the file's link (data-job-file); the download starts by itself, once, and the link
 * stays for another try. Without this script there is no polling: the page asks the reader to
 * reload it, and a reloaded page of a finished job goes to the file. */
(function () {
  "use strict";

  document.addEventListener("htmx:afterSettle", function () {
    var link = document.querySelector("a[data-job-file]:not([data-job-started])");
    if (link) {
      link.setAttribute("data-job-started", "");
      window.location.assign(link.href);
    }
  });
})();
