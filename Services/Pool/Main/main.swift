import Foundation
import PoolService
import Runtime

exit(await ServiceMain.run(PoolService.definition))
