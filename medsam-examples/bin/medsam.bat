@echo off
rem The `medsam` command line on Windows, from the unpacked distribution (bin\medsam.bat beside lib\).
rem MEDSAM_JAVA_OPTS replaces the JVM options (default -Xmx8g); JAVA picks the java binary.
setlocal
set "MEDSAM_LIB=%~dp0..\lib"
if not exist "%MEDSAM_LIB%" (
  echo medsam: no lib folder beside %~dp0; unpack the whole medsam distribution 1>&2
  exit /b 1
)
if "%JAVA%"=="" set "JAVA=java"
if "%MEDSAM_JAVA_OPTS%"=="" set "MEDSAM_JAVA_OPTS=-Xmx8g"
if "%TF_CPP_MIN_LOG_LEVEL%"=="" set "TF_CPP_MIN_LOG_LEVEL=2"
"%JAVA%" %MEDSAM_JAVA_OPTS% -cp "%MEDSAM_LIB%\*" dev.medsam.examples.cli.MedSamCommand %*
exit /b %ERRORLEVEL%
