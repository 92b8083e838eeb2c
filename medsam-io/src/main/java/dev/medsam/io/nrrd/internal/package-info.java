/** NRRD header parsing. Not API. */
package dev.medsam.io.nrrd.internal;
