/** Plumbing shared by the format readers and writers (size limits, header text, raw data, byte orders). Not API. */
package dev.medsam.io.files.internal;
