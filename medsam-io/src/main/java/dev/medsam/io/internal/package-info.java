/** Implementation details of medsam-io (bounds, digests, format sniffing). Not API. */
package dev.medsam.io.internal;
