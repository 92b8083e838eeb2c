/** NumPy element conversion shared by the npy reader and {@code inspect}'s digests. Not API. */
package dev.medsam.io.numpy.internal;
