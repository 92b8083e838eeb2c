/** Implementation details of medsam-io (bounds, atomic writes, digests, format sniffing). Not API. */
package dev.medsam.io.internal;
