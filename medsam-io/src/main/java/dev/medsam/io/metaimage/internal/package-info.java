/** MetaImage header parsing. Not API. */
package dev.medsam.io.metaimage.internal;
