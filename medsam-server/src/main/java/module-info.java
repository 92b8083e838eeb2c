/**
 * {@code medsam serve}'s HTTP API and browser viewer over the public API of core and io. The server is
 * {@link dev.medsam.server.MedSamServer}; its routes, request parsing and jobs are internal.
 */
module dev.medsam.server {
    requires dev.medsam.core;
    requires dev.medsam.io;
    requires jdk.httpserver;
    requires com.fasterxml.jackson.databind;

    exports dev.medsam.server;
}
