// The routes, one protocol per file. Each adds its handlers to the cpp-httplib server; the
// handlers keep a reference to `ctx`, which outlives the server.
#ifndef LABELITE_SERVER_ROUTES_H_
#define LABELITE_SERVER_ROUTES_H_

#include <httplib.h>

#include "server/http_util.h"

namespace labelite::server {

// server.cc: limits and timeouts from ctx.options, JSON bodies for cpp-httplib's own errors, 500
// for an exception that escapes a handler. No routes.
void ConfigureHttp(httplib::Server& http, Context& ctx);

void AddKServeV2Routes(httplib::Server& http, Context& ctx);   // kserve_v2.cc: /v2/...
void AddTfServingRoutes(httplib::Server& http, Context& ctx);  // tf_serving.cc: /v1/models/...
void AddPlainRoutes(httplib::Server& http, Context& ctx);      // plain.cc: POST /v1/classify
void AddPageRoutes(httplib::Server& http, Context& ctx);       // page.cc: GET /
void AddMetricsRoutes(httplib::Server& http, Context& ctx);    // metrics.cc: GET /metrics

}  // namespace labelite::server

#endif  // LABELITE_SERVER_ROUTES_H_
