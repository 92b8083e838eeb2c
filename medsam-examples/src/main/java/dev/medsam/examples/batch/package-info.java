/**
 * The seam between the {@code medsam batch} command (here, without Spark) and the job that runs it (medsam-spark):
 * {@link dev.medsam.examples.batch.BatchRequest} and the {@link dev.medsam.examples.batch.BatchRunner} service.
 */
package dev.medsam.examples.batch;
