/* The API's browsable documentation (/api/v1/docs): Swagger UI over the OpenAPI document, with
 * the configuration the page carries as data. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("swagger-ui-config").textContent);
  window.ui = window.SwaggerUIBundle(config);
})();
